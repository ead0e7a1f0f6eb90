/**
 * JSON from untrusted files (tfjs model.json, Keras config.json, safetensors headers) parsed
 * with a size and a nesting-depth limit. `JSON.parse` itself copes with deep nesting, but
 * everything that walks the result recursively (`JSON.stringify` in an error message, config
 * walkers) overflows the stack near 5,000 levels; the depth is checked on the text first, in
 * one pass, so no object is built for a hostile file.
 */
import { CorruptDataError, LimitExceededError } from './errors.js';

/** Deepest nesting accepted by default (real configs stay well below 100 levels). */
export const DEFAULT_JSON_MAX_DEPTH = 1000;
/** Largest JSON text accepted by default. */
export const DEFAULT_JSON_MAX_BYTES = 256 * 1024 * 1024;

/** Options of {@link parseJsonWithLimits}. */
export interface JsonLimits {
  /** File the JSON came from (for the error). */
  file?: string;
  /** Entry inside the file (zip member, header) for the error. */
  entry?: string;
  /** What the JSON is, for messages (default "JSON"). */
  what?: string;
  maxDepth?: number;
  maxBytes?: number;
}

/**
 * Deepest `{`/`[` nesting of JSON `text` (strings skipped), stopping early with the offset
 * where `maxDepth` is first exceeded.
 */
export function jsonDepth(text: string, maxDepth = Infinity): { depth: number; exceededAt?: number } {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        max = depth;
        if (max > maxDepth) return { depth: max, exceededAt: i };
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { depth: max };
}

/**
 * Parse JSON text (or UTF-8 bytes) from a file, refusing texts above `maxBytes` and nesting
 * deeper than `maxDepth` with LimitExceededError, invalid JSON or UTF-8 with CorruptDataError.
 */
export function parseJsonWithLimits(input: string | Uint8Array, limits: JsonLimits = {}): unknown {
  const what = limits.what ?? 'JSON';
  const maxBytes = limits.maxBytes ?? DEFAULT_JSON_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_JSON_MAX_DEPTH;
  const where = { ...(limits.file !== undefined ? { file: limits.file } : {}), ...(limits.entry !== undefined ? { entry: limits.entry } : {}) };
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > maxBytes) throw new LimitExceededError(`${what} is ${size} bytes`, { ...where, expected: `at most ${maxBytes}` });
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (cause) {
    throw new CorruptDataError(`${what} is not valid UTF-8`, { ...where, cause });
  }
  const d = jsonDepth(text, maxDepth);
  if (d.exceededAt !== undefined) {
    throw new LimitExceededError(`${what} nests deeper than ${maxDepth} levels`, { ...where, offset: d.exceededAt, expected: `at most ${maxDepth} levels` });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CorruptDataError(`${what} is not valid JSON: ${(cause as Error).message.slice(0, 200)}`, { ...where, cause });
  }
}
