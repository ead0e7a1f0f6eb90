/**
 * Model config JSON (legacy `model_config` attribute or Keras 3 `config.json`): only what a
 * weights reader needs, layer names and classes in order. Unknown classes are fine.
 */
import { DEFAULT_JSON_MAX_DEPTH, jsonDepth, LimitExceededError } from '@tfweights/core';
import type { H5Reader } from './h5-file.js';

/** One layer as the config lists it. */
export interface ConfigLayer {
  readonly name: string;
  readonly className: string;
  readonly config: Record<string, unknown>;
}

/** Parse a JSON string attribute of the root group; undefined when absent, the raw string when not JSON. */
export function parseJsonAttr(h5: H5Reader, name: string): unknown {
  const text = h5.stringAttr('/', name);
  if (text === undefined) return undefined;
  // Deeper than any real config: refused before anything walks it recursively.
  if (jsonDepth(text, DEFAULT_JSON_MAX_DEPTH).exceededAt !== undefined) {
    throw new LimitExceededError(`attribute '${name}' nests deeper than ${DEFAULT_JSON_MAX_DEPTH} levels`, { file: h5.name, entry: '/' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Top-level layers of a model config, in `model.layers` order. */
export function configLayers(modelConfig: unknown, keepInputLayers = false): ConfigLayer[] {
  const top = asRecord(modelConfig);
  const cfg = asRecord(top?.config);
  // Keras 2.0-2.2 Sequential configs are a bare list of layers.
  const list = Array.isArray(top?.config) ? top.config : Array.isArray(cfg?.layers) ? cfg.layers : [];
  const out: ConfigLayer[] = [];
  for (const item of list as unknown[]) {
    const rec = asRecord(item);
    const inner = asRecord(rec?.config) ?? {};
    const name = typeof inner.name === 'string' ? inner.name : typeof rec?.name === 'string' ? rec.name : undefined;
    const className = typeof rec?.class_name === 'string' ? rec.class_name : undefined;
    if (name !== undefined && className !== undefined) out.push({ name, className, config: inner });
  }
  // Keras 3 lists Sequential's InputLayer in the config, but `Sequential.layers` leaves it out.
  return top?.class_name === 'Sequential' && !keepInputLayers ? out.filter((l) => l.className !== 'InputLayer') : out;
}

/** Layer name → class name. */
export function classesFromConfig(modelConfig: unknown): Map<string, string> {
  return new Map(configLayers(modelConfig, true).map((l) => [l.name, l.className]));
}
