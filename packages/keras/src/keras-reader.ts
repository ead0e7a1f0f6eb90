/// <reference lib="esnext.disposable" preserve="true" />
// (`await using` support below: the reference gives consumers the Symbol.asyncDispose type whatever their `lib`.)
/**
 * KerasReader: the TensorReader over a legacy `.h5`, a Keras 3 `.weights.h5` or the
 * `model.weights.h5` of a `.keras` archive. Listing reads only HDF5 headers; `read` reads one
 * dataset in bounded slices.
 */
import {
  CorruptDataError, makeStringTensor, makeTensor, narrow16, TensorNotFoundError,
  type Tensor, type TensorInfo, type TensorReader, chunkedOf, type ChunkedTensor,
} from '@tfweights/core';
import type { H5Api } from './h5-api.js';
import { H5Reader } from './h5-file.js';
import { h5ReaderData, type KerasData } from './h5-data.js';
import { isKeras3Layout, parseKeras3 } from './keras3-layout.js';
import { isLegacyLayout, parseLegacy, type KerasEntry, type KerasLayerInfo, type ParsedLayout } from './legacy-layout.js';

export interface OpenH5Options {
  /** Name used in messages (defaults to the path). */
  name?: string;
  /**
   * Model config (parsed JSON: Keras 3 `config.json` / `model.to_json()`, or a Keras 2
   * `model_config`). Keras 3 files: gives model order, layer classes, variable names and the
   * structure of nested models and wrappers. Legacy files: fills in classes when the file has
   * no `model_config` of its own.
   */
  config?: unknown;
  /** More facts to expose as metadata (e.g. `metadata.json` of a `.keras`). */
  metadata?: Record<string, unknown>;
  /** Called by close() after the HDF5 file is closed (removes temporary copies). */
  onClose?: () => Promise<void> | void;
}

/** What a layout needs besides the file: a config, more metadata, and the name used in messages. */
export interface ParseLayoutOptions {
  config?: unknown;
  metadata?: Record<string, unknown>;
}

/**
 * Work out which Keras layout an open HDF5 file has and list it (headers and attributes only,
 * no dataset data).
 */
export function parseKerasLayout(h5: H5Reader, opts: ParseLayoutOptions = {}): ParsedLayout {
  let layout: ParsedLayout;
  if (isLegacyLayout(h5)) layout = parseLegacy(h5, opts.config);
  else if (isKeras3Layout(h5)) layout = parseKeras3(h5, opts.config, opts.metadata);
  else {
    throw new CorruptDataError('HDF5 file without Keras weights', {
      file: h5.name, expected: "a 'layer_names' attribute, a 'model_weights' group or Keras 3 'vars'/'layers' groups",
      found: `root members [${h5.children('/').slice(0, 8).join(', ')}]`,
    });
  }
  if (layout.format === 'keras-h5' && opts.metadata) Object.assign(layout.metadata, opts.metadata);
  return layout;
}

/** Where a reader's tensor data comes from, and its clean-up (kept apart from the reader for the FinalizationRegistry). */
interface Held {
  data: KerasData;
  onClose?: () => Promise<void> | void;
}

/**
 * Readers dropped without close(): close their HDF5 file (in Node: tell the worker to close
 * the handle) and remove temporary copies (a `.keras` reader's extracted `model.weights.h5`)
 * when they are garbage-collected.
 */
const unclosed = new FinalizationRegistry<Held>((held) => {
  void Promise.resolve()
    .then(() => held.data.close())
    .catch(() => undefined) // already closed, or its module aborted
    .then(() => held.onClose?.())
    .catch(() => undefined);
});

export class KerasReader implements TensorReader {
  readonly format: 'keras-h5' | 'keras3';
  readonly metadata: Readonly<Record<string, unknown>>;
  private readonly byKey = new Map<string, KerasEntry>();
  private readonly byName = new Map<string, KerasEntry>();
  private closed = false;
  private readonly held: Held;

  private constructor(private readonly layout: ParsedLayout, readonly source: string, data: KerasData, onClose?: () => Promise<void> | void) {
    this.format = layout.format;
    this.metadata = layout.metadata;
    this.held = { data, ...(onClose ? { onClose } : {}) };
    unclosed.register(this, this.held, this);
    for (const e of layout.entries) this.byKey.set(e.info.key, e);
    for (const e of layout.entries) if (!this.byKey.has(e.info.name) && !this.byName.has(e.info.name)) this.byName.set(e.info.name, e);
  }

  /** Open an HDF5 file h5wasm can reach at `path` and work out which Keras layout it has (all on this thread). */
  static open(api: H5Api, path: string, opts: OpenH5Options = {}): KerasReader {
    const name = opts.name ?? path;
    const h5 = H5Reader.open(api, path, name);
    try {
      const layout = parseKerasLayout(h5, opts);
      return new KerasReader(layout, name, h5ReaderData(h5), opts.onClose);
    } catch (err) {
      h5.close();
      throw err;
    }
  }

  /**
   * A reader over a layout worked out elsewhere ({@link parseKerasLayout}, e.g. in a worker
   * under a time budget) and a source of its data (e.g. the same worker): listing needs no
   * HDF5 file here.
   */
  static fromLayout(layout: ParsedLayout, source: string, data: KerasData, onClose?: () => Promise<void> | void): KerasReader {
    return new KerasReader(layout, source, data, onClose);
  }

  /** The data source, or the read-after-close error. */
  private data(): KerasData {
    if (this.closed) throw new CorruptDataError('read after close', { file: this.source });
    return this.held.data;
  }

  list(): readonly TensorInfo[] {
    return this.layout.entries.map((e) => e.info);
  }

  /**
   * Layers in model order (legacy: `layer_names`; Keras 3: the config's order, else group-key
   * order, see `metadata.layer_order`), each with its weights in the order Keras's legacy
   * `.h5` stores them (`layer.trainable_weights + layer.non_trainable_weights`). Keras 3
   * layers also carry `key`, their HDF5 group.
   */
  layers(): readonly KerasLayerInfo[] {
    return this.layout.layers;
  }

  private entry(key: string): KerasEntry {
    const e = this.byKey.get(key) ?? this.byName.get(key) ?? this.byKey.get(key.replace(/^\//, ''));
    if (!e) throw new TensorNotFoundError(key, [...this.byKey.keys(), ...this.byName.keys()], { file: this.source });
    return e;
  }

  async read(key: string): Promise<Tensor> {
    const data = this.data();
    return this.decode(data, this.entry(key));
  }

  private async decode(data: KerasData, e: KerasEntry): Promise<Tensor> {
    const { info, ds } = e;
    const opts = { name: info.name, ...(info.role ? { role: info.role } : {}), ...(info.layer ? { layer: info.layer } : {}), ...(info.attrs ? { attrs: { ...info.attrs } } : {}) };
    if (info.dtype === 'string') return makeStringTensor(info.key, info.shape, await data.readStrings(info.key), opts);
    let bytes = await data.readRaw(ds);
    if (ds.narrowTo) {
      const f32 = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const bits = narrow16(f32, ds.narrowTo);
      bytes = new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
    }
    return makeTensor(info.key, info.dtype, info.shape, bytes, opts);
  }

  /**
   * A dataset's bytes in hyperslabs straight from libhdf5 (one reused buffer), for datasets
   * stored as their dtype; strings and float16/bfloat16 stored as float32 are read whole.
   */
  async readChunked(key: string): Promise<ChunkedTensor> {
    const data = this.data();
    const e = this.entry(key);
    if (e.info.dtype === 'string' || e.ds.narrowTo) return chunkedOf(await this.decode(data, e));
    const ds = e.ds;
    const { key: k, name, dtype, shape, byteLength, role, layer, attrs } = e.info;
    return {
      key: k, name, dtype, shape, byteLength, ...(role ? { role } : {}), ...(layer ? { layer } : {}), ...(attrs ? { attrs: { ...attrs } } : {}),
      chunks: async function* (this: void) {
        for await (const c of data.rawChunks(ds)) yield c;
      },
    };
  }

  async *tensors(): AsyncIterable<Tensor> {
    for (const e of this.layout.entries) yield await this.decode(this.data(), e);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    unclosed.unregister(this);
    try {
      await this.held.data.close();
    } finally {
      await this.held.onClose?.();
    }
  }

  /** `await using reader = await openKeras(…)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
