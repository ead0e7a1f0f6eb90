/**
 * tfjs writer: model.json + `group1-shardKofM.bin` files (FORMATS.md §7; layout of
 * tfjs-converter `write_weights.py`): one group, weights back to back in manifest order,
 * split into shards of `shardSize` bytes (default 4 MiB). Infos come first so the shard
 * count is known before any data; data then streams shard by shard. model.json is written
 * last and every file appears together on commit.
 */
import {
  checkTensor, InvalidArgumentError, MemorySink, numElements, toFloat32,
  type ByteSink, type Tensor, type TensorInfo, type TensorWriter,
} from '@tfweights/core';
import { convertData, tfjsStorageDtype, type DtypeConversionOptions } from './dtype-policy.js';
import { serializeModelJson, type ModelJson, type QuantizationDtype, type WeightsManifestEntry } from './model-json.js';
import { quantize, quantizedItemSize } from './quantization.js';
import { encodeStrings } from './strings.js';

/** Default shard size of the converter: 4 MiB. */
export const DEFAULT_SHARD_SIZE = 4 * 1024 * 1024;

/** Where a model's files go: a folder (Node), memory, or anything with named sinks. */
export interface TfjsOutput {
  /** A sink for one file, named relative to model.json. */
  file(name: string): Promise<ByteSink>;
  /** Make every file visible together. */
  commit(): Promise<void>;
  /** Drop every file written. */
  abort(): Promise<void>;
}

/** Output kept in memory: `files` after commit (browsers, tests, IOHandlers). */
export class MemoryTfjsOutput implements TfjsOutput {
  readonly files = new Map<string, Uint8Array>();
  private readonly sinks: MemorySink[] = [];
  async file(name: string): Promise<ByteSink> {
    const s = new MemorySink(name);
    this.sinks.push(s);
    return s;
  }
  async commit(): Promise<void> {
    for (const s of this.sinks) {
      await s.finish();
      this.files.set(s.name, s.bytes());
    }
  }
  async abort(): Promise<void> {
    for (const s of this.sinks) await s.abort();
    this.files.clear();
  }
}

export interface TfjsWriteOptions extends DtypeConversionOptions {
  /** `layers-model` (default) or `graph-model`. */
  format?: 'layers-model' | 'graph-model' | (string & {});
  /**
   * The model topology: for a layers model from Keras, `{keras_version, backend, model_config,
   * training_config?}`; for tfjs-layers, `model.toJSON(null, false)`; for a graph model, GraphDef JSON.
   */
  modelTopology?: unknown;
  generatedBy?: string;
  /** Default `null` (not converted), as tfjs-layers writes it. */
  convertedBy?: string | null;
  /** Other top-level keys (`signature`, `userDefinedMetadata`, `trainingConfig` …). */
  extra?: Record<string, unknown>;
  /** Bytes per shard file (default 4 MiB). */
  shardSize?: number;
  /** Shard file name (1-based), default `group{g}-shard{k}of{m}.bin`. */
  shardName?: (group: number, shard: number, shards: number) => string;
  /** Name of the model file, default `model.json`. */
  modelJsonName?: string;
  /** Quantize float32 weights: one dtype for all, or per weight (undefined = keep). */
  quantize?: QuantizationDtype | ((info: TensorInfo) => QuantizationDtype | undefined);
  /** Manifest name of a tensor; default its key (e.g. `dense/kernel`). */
  nameOf?: (info: TensorInfo) => string;
}

interface PlannedWeight {
  readonly info: TensorInfo;
  readonly entry: WeightsManifestEntry;
  readonly storedLength: number;
  readonly quantization?: QuantizationDtype;
}

function planWeight(info: TensorInfo, opts: TfjsWriteOptions, file: string): PlannedWeight {
  const dtype = tfjsStorageDtype(info, opts, file);
  const n = numElements(info.shape);
  const name = opts.nameOf ? opts.nameOf(info) : info.key;
  const entry: WeightsManifestEntry = { name, shape: [...info.shape], dtype };
  if (info.role === 'optimizer') entry.group = 'optimizer';
  const q = typeof opts.quantize === 'function' ? opts.quantize(info) : opts.quantize;
  if (q && dtype === 'float32') return { info, entry, storedLength: n * quantizedItemSize(q), quantization: q };
  if (dtype === 'string') return { info, entry, storedLength: info.byteLength + 4 * n };
  const size = dtype === 'complex64' ? 8 : dtype === 'bool' ? 1 : 4;
  return { info, entry, storedLength: n * size };
}

/** Streams one group's bytes into shard files of fixed size. */
class ShardStream {
  private shard = 0;
  private sink: ByteSink | undefined;
  private left = 0;
  readonly paths: string[];
  constructor(private readonly output: TfjsOutput, total: number, private readonly size: number, name: (g: number, k: number, m: number) => string) {
    const m = Math.ceil(total / size);
    this.paths = Array.from({ length: m }, (_, k) => name(1, k + 1, m));
  }
  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.byteLength) {
      if (this.left === 0) {
        const path = this.paths[this.shard++];
        if (path === undefined) throw new InvalidArgumentError('more weight bytes than planned');
        this.sink = await this.output.file(path);
        this.left = this.size;
      }
      const n = Math.min(this.left, bytes.byteLength - at);
      await this.sink!.write(bytes.subarray(at, at + n));
      this.left -= n;
      at += n;
    }
  }
  get complete(): boolean {
    return this.shard === this.paths.length;
  }
}

/** Streaming tfjs writer: infos first (manifest order), then tensors. */
export class TfjsWriter implements TensorWriter {
  private next = 0;
  private readonly pending = new Map<string, Tensor>();
  private readonly index = new Map<string, number>();
  private readonly stream: ShardStream;
  private readonly file: string;

  private constructor(private readonly output: TfjsOutput, private readonly plan: PlannedWeight[], private readonly opts: TfjsWriteOptions) {
    this.file = opts.modelJsonName ?? 'model.json';
    plan.forEach((p, i) => this.index.set(p.info.key, i));
    const total = plan.reduce((s, p) => s + p.storedLength, 0);
    const size = opts.shardSize ?? DEFAULT_SHARD_SIZE;
    this.stream = new ShardStream(output, total, size, opts.shardName ?? ((g, k, m) => `group${g}-shard${k}of${m}.bin`));
  }

  /** Plan a model for these weights, in this (manifest) order. */
  static async create(output: TfjsOutput, infos: readonly TensorInfo[], opts: TfjsWriteOptions = {}): Promise<TfjsWriter> {
    const file = opts.modelJsonName ?? 'model.json';
    const size = opts.shardSize ?? DEFAULT_SHARD_SIZE;
    if (!Number.isSafeInteger(size) || size <= 0) throw new InvalidArgumentError(`shardSize must be a positive integer, got ${size}`);
    const names = new Set<string>();
    const plan = infos.map((info) => {
      const p = planWeight(info, opts, file);
      if (names.has(p.entry.name)) throw new InvalidArgumentError('two weights have the same manifest name', { file, entry: p.entry.name });
      names.add(p.entry.name);
      return p;
    });
    return new TfjsWriter(output, plan, opts);
  }

  /** Tensor keys in manifest order; writing in this order needs no buffering. */
  get order(): readonly string[] {
    return this.plan.map((p) => p.info.key);
  }

  async write(tensor: Tensor): Promise<void> {
    checkTensor(tensor, this.file);
    const i = this.index.get(tensor.key);
    if (i === undefined) throw new InvalidArgumentError('tensor was not in the list given to the writer', { file: this.file, entry: tensor.key });
    const p = this.plan[i]!;
    if (tensor.dtype !== p.info.dtype || tensor.shape.join(',') !== p.info.shape.join(',')) {
      throw new InvalidArgumentError('tensor differs from the info given when the writer was created', {
        file: this.file, entry: tensor.key, expected: `${p.info.dtype} [${p.info.shape.join(', ')}]`, found: `${tensor.dtype} [${tensor.shape.join(', ')}]`,
      });
    }
    if (i < this.next || this.pending.has(tensor.key)) throw new InvalidArgumentError('tensor written twice', { file: this.file, entry: tensor.key });
    if (i !== this.next) {
      this.pending.set(tensor.key, tensor);
      return;
    }
    await this.emit(p, tensor);
    for (let q = this.plan[this.next]; q && this.pending.has(q.info.key); q = this.plan[this.next]) {
      const t = this.pending.get(q.info.key)!;
      this.pending.delete(q.info.key);
      await this.emit(q, t);
    }
  }

  private async emit(p: PlannedWeight, t: Tensor): Promise<void> {
    let bytes: Uint8Array;
    if (p.entry.dtype === 'string') {
      bytes = encodeStrings(t.strings ?? []);
    } else if (p.quantization) {
      const values = t.dtype === 'float32' ? toFloat32(t) : new Float32Array(convertData(t, 'float32', this.file).slice().buffer);
      const q = quantize(values, p.quantization, 'float32');
      p.entry.quantization = q.quantization;
      bytes = q.bytes;
    } else {
      bytes = convertData(t, p.entry.dtype as 'float32', this.file);
    }
    if (bytes.byteLength !== p.storedLength) {
      throw new InvalidArgumentError('tensor data has the wrong byte count', { file: this.file, entry: t.key, expected: `${p.storedLength}`, found: `${bytes.byteLength}` });
    }
    await this.stream.write(bytes);
    this.next++;
  }

  /** The model.json object this writer produces (complete after every tensor is written). */
  modelJson(): ModelJson {
    const o = this.opts;
    return {
      format: o.format ?? 'layers-model',
      generatedBy: o.generatedBy ?? 'tfweights',
      convertedBy: o.convertedBy ?? null,
      ...(o.extra ?? {}),
      modelTopology: o.modelTopology ?? null,
      weightsManifest: [{ paths: this.stream.paths, weights: this.plan.map((p) => p.entry) }],
    };
  }

  async finish(): Promise<void> {
    const missing = this.plan.slice(this.next).map((p) => p.info.key);
    if (missing.length > 0) {
      await this.abort();
      throw new InvalidArgumentError(`${missing.length} planned weight(s) were never written: ${missing.slice(0, 5).join(', ')}`, { file: this.file });
    }
    try {
      if (!this.stream.complete) throw new InvalidArgumentError('fewer weight bytes than planned', { file: this.file });
      const sink = await this.output.file(this.file);
      await sink.write(new TextEncoder().encode(serializeModelJson(this.modelJson())));
      await this.output.commit();
    } catch (err) {
      await this.output.abort();
      throw err;
    }
  }

  async abort(): Promise<void> {
    this.pending.clear();
    await this.output.abort();
  }
}

/** Writer that needs no plan: keeps tensors in memory, writes everything at finish(). */
export class TfjsCollectingWriter implements TensorWriter {
  private readonly tensors: Tensor[] = [];
  constructor(private readonly output: TfjsOutput, private readonly opts: TfjsWriteOptions = {}) {}
  async write(tensor: Tensor): Promise<void> {
    checkTensor(tensor, this.opts.modelJsonName);
    tfjsStorageDtype(tensor, this.opts, this.opts.modelJsonName); // fail early on unstorable dtypes
    this.tensors.push(tensor);
  }
  async finish(): Promise<void> {
    await writeTfjs(this.output, this.tensors, this.opts);
  }
  async abort(): Promise<void> {
    this.tensors.length = 0;
    await this.output.abort();
  }
}

/** Write tensors (in manifest order) and model.json to `output`. */
export async function writeTfjs(output: TfjsOutput, tensors: readonly Tensor[], opts: TfjsWriteOptions = {}): Promise<ModelJson> {
  let w: TfjsWriter;
  try {
    w = await TfjsWriter.create(output, tensors, opts);
  } catch (err) {
    await output.abort();
    throw err;
  }
  try {
    for (const t of tensors) await w.write(t);
  } catch (err) {
    await w.abort();
    throw err;
  }
  await w.finish();
  return w.modelJson();
}
