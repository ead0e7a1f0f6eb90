/**
 * model.json: types, parsing with checks, and serialisation in the key order the Python
 * converter writes (tensorflow/tfjs `tfjs-converter/python/tensorflowjs/converters/common.py`
 * and `write_weights.py`; FORMATS.md §7.1–§7.2).
 */
import { CorruptDataError, isDTypeName, LimitExceededError, numElements, parseJsonWithLimits, RefusedError, UnsupportedDtypeError } from '@tfweights/core';

/** Storage type of a quantized weight. */
export type QuantizationDtype = 'uint8' | 'uint16' | 'float16';

export interface WeightQuantization {
  dtype: QuantizationDtype;
  min?: number;
  scale?: number;
  original_dtype?: string;
}

/** One weight of a manifest group (`WeightsManifestEntry` in tfjs-core `io/types.ts`). */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  /** float32 | int32 | bool | string | complex64 (the decoded dtype for quantized weights). */
  dtype: string;
  group?: string;
  quantization?: WeightQuantization;
}

export interface WeightsGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}

/** The parsed model.json; unknown top-level keys are kept as they were. */
export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology?: unknown;
  weightsManifest: WeightsGroupConfig[];
  [key: string]: unknown;
}

const QUANT_DTYPES = new Set(['uint8', 'uint16', 'float16']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse and check a model.json. Throws CorruptDataError naming the file and the entry. */
export function parseModelJson(text: string | Uint8Array, file: string): ModelJson {
  let json = parseJsonWithLimits(text, { file, what: 'model.json' });
  // A bare weights manifest (face-api.js `*-weights_manifest.json`): the groups without a model.
  if (Array.isArray(json)) json = { weightsManifest: json };
  if (!isRecord(json)) throw new CorruptDataError('model.json is not a JSON object', { file });
  const manifest = json.weightsManifest;
  if (manifest === undefined) {
    throw new CorruptDataError('model.json has no weightsManifest', { file, expected: 'a tfjs model.json with "weightsManifest"' });
  }
  if (!Array.isArray(manifest)) throw new CorruptDataError('weightsManifest is not a list', { file });
  const names = new Set<string>();
  manifest.forEach((g: unknown, gi) => {
    const where = `weightsManifest[${gi}]`;
    if (!isRecord(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new CorruptDataError('group is not {paths: [...], weights: [...]}', { file, entry: where });
    }
    if (!g.paths.every((p) => typeof p === 'string')) throw new CorruptDataError('paths must be strings', { file, entry: where });
    for (const p of g.paths as string[]) checkShardPath(p, file, where);
    if (g.weights.length > 0 && g.paths.length === 0) throw new CorruptDataError('group has weights but no shard paths', { file, entry: where });
    for (const w of g.weights as unknown[]) checkEntry(w, file, where, names);
  });
  return json as ModelJson;
}

/**
 * A shard path names a file beside model.json (the converter writes `group1-shard1of2.bin`):
 * absolute paths, URLs, `..` segments, backslashes and NUL would let a model.json read files
 * outside its folder, so they are refused here, for every resolver (files and HTTP alike).
 */
export function checkShardPath(p: string, file: string, where = 'weightsManifest'): void {
  const problem =
    p.length === 0 ? 'is empty'
    : p.includes('\0') ? 'holds a NUL character'
    : p.includes('\\') ? 'holds a backslash'
    : p.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(p) ? 'is absolute or a URL'
    : p.split('/').some((s) => s === '..') ? "has a '..' segment"
    : undefined;
  if (problem) {
    throw new RefusedError(`shard path ${problem}: shards must lie in the model's folder`, { file, entry: where, found: JSON.stringify(p).slice(0, 120) });
  }
}

function checkEntry(w: unknown, file: string, where: string, names: Set<string>): void {
  if (!isRecord(w) || typeof w.name !== 'string') throw new CorruptDataError('weight entry has no name', { file, entry: where });
  const entry = w.name;
  if (names.has(entry)) throw new CorruptDataError('two weights have the same name', { file, entry });
  names.add(entry);
  if (!Array.isArray(w.shape) || !w.shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new CorruptDataError('shape is not a list of non-negative integers', { file, entry, found: JSON.stringify(w.shape)?.slice(0, 120) });
  }
  try {
    numElements(w.shape as number[], `shape of '${entry}'`);
  } catch (cause) {
    throw new LimitExceededError('shape has more elements than can be addressed', { file, entry, found: `${w.shape.length} dims`, cause });
  }
  if (typeof w.dtype !== 'string' || !isDTypeName(w.dtype)) {
    throw new UnsupportedDtypeError(`unknown weight dtype '${String(w.dtype)}'`, { file, entry, expected: 'float32, int32, bool, string or complex64' });
  }
  if (w.quantization !== undefined) {
    const q = w.quantization;
    if (!isRecord(q) || typeof q.dtype !== 'string' || !QUANT_DTYPES.has(q.dtype)) {
      throw new UnsupportedDtypeError('unknown quantization dtype', { file, entry, expected: 'uint8, uint16 or float16', found: JSON.stringify(isRecord(q) ? q.dtype : q) });
    }
    if (q.dtype !== 'float16' && (typeof q.min !== 'number' || typeof q.scale !== 'number')) {
      throw new CorruptDataError(`${q.dtype} quantization needs numeric min and scale`, { file, entry });
    }
    if (q.dtype === 'float16' ? w.dtype !== 'float32' : w.dtype !== 'float32' && w.dtype !== 'int32') {
      throw new UnsupportedDtypeError(`${q.dtype} quantization of a ${w.dtype} weight is not defined`, { file, entry });
    }
  }
}

/**
 * model.json text in the Python converter's key order: format, generatedBy, convertedBy,
 * [signature, userDefinedMetadata, …], modelTopology, weightsManifest (then any other keys),
 * `json.dumps` default separators (`", "`, `": "`).
 */
export function serializeModelJson(model: ModelJson): string {
  const head = ['format', 'generatedBy', 'convertedBy'];
  const tail = ['modelTopology', 'weightsManifest'];
  const ordered: Record<string, unknown> = {};
  for (const k of head) if (k in model) ordered[k] = model[k];
  for (const k of Object.keys(model)) if (!head.includes(k) && !tail.includes(k)) ordered[k] = model[k];
  for (const k of tail) if (k in model) ordered[k] = model[k];
  return pythonJson(ordered);
}

/** JSON as Python's `json.dumps` writes it by default (separators `, ` and `: `, ASCII only). */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`);
    return `{${parts.join(', ')}}`;
  }
  return 'null';
}
