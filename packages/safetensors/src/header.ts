/**
 * Parse and validate a safetensors header the way the reference reader does
 * (huggingface/safetensors `safetensors/src/tensor.rs`, `read_metadata` / `validate`):
 * N ≤ 100,000,000; the header is UTF-8 JSON; tensors sorted by offsets tile the byte buffer
 * exactly; each tensor's byte count is Π shape × bits / 8; nothing trails the buffer.
 */
import { CorruptDataError, LimitExceededError, parseJsonWithLimits, UnsupportedDtypeError } from '@tfweights/core';
import { coreDtypeOf, safetensorsBits } from './dtypes.js';

/** Largest header the reference reader accepts (`MAX_HEADER_SIZE`). */
export const MAX_HEADER_SIZE = 100_000_000;

/** One tensor entry of a header, with absolute positions resolved. */
export interface SafetensorsEntry {
  readonly name: string;
  /** The dtype string as written (`F32`, `BF16`, `F8_E8M0` …). */
  readonly stDtype: string;
  readonly shape: readonly number[];
  /** Offsets relative to the start of the byte buffer, as written in `data_offsets`. */
  readonly begin: number;
  readonly end: number;
}

export interface ParsedHeader {
  /** Header length N as stored in the first 8 bytes (includes padding). */
  readonly headerLength: number;
  /** Absolute file offset of the byte buffer (8 + N). */
  readonly dataStart: number;
  /** `__metadata__`, or undefined when absent. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /** Tensors in buffer order (by begin offset). */
  readonly entries: readonly SafetensorsEntry[];
}

/** Header length N from the first 8 bytes; throws when it cannot be a valid header for `fileSize`. */
export function headerLengthOf(prefix: Uint8Array, fileSize: number, file: string): number {
  if (prefix.byteLength < 8 || fileSize < 8) {
    throw new CorruptDataError('file is shorter than the 8-byte header length', { file, expected: '≥ 8 bytes', found: `${fileSize}` });
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const high = view.getUint32(4, true);
  const low = view.getUint32(0, true);
  const n = high * 2 ** 32 + low;
  if (high !== 0 || n > MAX_HEADER_SIZE) {
    throw new LimitExceededError('header length is larger than safetensors allows', {
      file, offset: 0, expected: `≤ ${MAX_HEADER_SIZE}`, found: high !== 0 ? `≥ 2^32` : `${n}`,
    });
  }
  if (8 + n > fileSize) {
    throw new CorruptDataError('header runs past the end of the file', { file, offset: 0, expected: `8 + ${n} ≤ ${fileSize} bytes`, found: `${fileSize} bytes` });
  }
  return n;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDim(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parse header bytes (without the 8-byte length) and check them against a file of `fileSize`
 * bytes. Throws CorruptDataError / UnsupportedDtypeError naming the entry at fault.
 */
export function parseHeader(headerBytes: Uint8Array, fileSize: number, file: string): ParsedHeader {
  const headerLength = headerBytes.byteLength;
  const dataStart = 8 + headerLength;
  // A header is a flat {name: {dtype, shape, data_offsets}} map: 4 levels (shape lists) at most.
  const json = parseJsonWithLimits(headerBytes, { file, what: 'header', maxDepth: 16 });
  if (!isRecord(json)) throw new CorruptDataError('header is not a JSON object', { file, offset: 8 });

  let metadata: Record<string, string> | undefined;
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (value === null) continue;
      if (!isRecord(value)) throw new CorruptDataError('__metadata__ is not an object of strings', { file, entry: name });
      metadata = {};
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') {
          throw new CorruptDataError('__metadata__ values must be strings', { file, entry: `__metadata__.${k}`, expected: 'a string', found: typeof v });
        }
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(name, value, file));
  }

  // Tiling: sorted by offsets, each tensor starts where the previous one ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin !== at) {
      throw new CorruptDataError(e.begin < at ? 'tensor data overlaps the previous tensor' : 'gap before tensor data', {
        file, entry: e.name, offset: dataStart + e.begin, expected: `data_offsets to begin at ${at}`, found: `${e.begin}`,
      });
    }
    at = e.end;
  }
  if (dataStart + at !== fileSize) {
    throw new CorruptDataError(dataStart + at > fileSize ? 'tensor data runs past the end of the file' : 'file has bytes after the last tensor', {
      file, offset: dataStart + Math.min(at, fileSize - dataStart), expected: `file size ${dataStart + at}`, found: `${fileSize}`,
    });
  }
  return { headerLength, dataStart, metadata, entries };
}

function parseEntry(name: string, value: unknown, file: string): SafetensorsEntry {
  if (!isRecord(value)) throw new CorruptDataError('tensor entry is not an object', { file, entry: name });
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw new CorruptDataError('tensor entry has no dtype string', { file, entry: name });
  const bits = safetensorsBits(dtype);
  if (bits === undefined) {
    throw new UnsupportedDtypeError(`unknown safetensors dtype '${dtype}'`, { file, entry: name });
  }
  if (!Array.isArray(shape) || !shape.every(isDim)) {
    throw new CorruptDataError('shape is not a list of non-negative integers', { file, entry: name, found: JSON.stringify(shape) });
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isDim(offsets[0]) || !isDim(offsets[1]) || offsets[0] > offsets[1]) {
    throw new CorruptDataError('data_offsets is not [begin, end] with begin ≤ end', { file, entry: name, found: JSON.stringify(offsets) });
  }
  const [begin, end] = offsets as [number, number];
  let elements = 1;
  for (const d of shape as number[]) {
    elements *= d;
    if (!Number.isSafeInteger(elements)) throw new CorruptDataError('shape has too many elements', { file, entry: name, found: JSON.stringify(shape) });
  }
  const totalBits = elements * bits;
  if (totalBits % 8 !== 0) {
    throw new CorruptDataError(`${elements} elements of ${dtype} do not fill whole bytes`, { file, entry: name });
  }
  if (end - begin !== totalBits / 8) {
    throw new CorruptDataError('data_offsets do not match dtype and shape', {
      file, entry: name, expected: `${totalBits / 8} bytes for ${dtype} [${(shape as number[]).join(', ')}]`, found: `${end - begin}`,
    });
  }
  return { name, stDtype: dtype, shape: shape as number[], begin, end };
}

/** True when the core dtype table can represent the entry's dtype. */
export function isRepresentable(e: SafetensorsEntry): boolean {
  return coreDtypeOf(e.stDtype) !== undefined;
}
