/**
 * Readers over tensors held by the program: a set of tensors made in code, or an overlay
 * that replaces some tensors of an open file and reads the rest from it lazily, keeping the
 * file's format, layers and metadata (so a Keras model config or a checkpoint's structure
 * travels with the edited weights into `save`).
 */
import { infoOf, InvalidArgumentError, TensorNotFoundError, type FormatId, type LayerInfo, type ReadOptions, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';

export interface TensorSetOptions {
  /** Label used in messages (default `<memory>`). */
  source?: string;
  /** Layers in model order, when the tensors come from a model. */
  layers?: readonly LayerInfo[];
  format?: FormatId;
  metadata?: Record<string, unknown>;
}

/** A TensorReader over tensors in memory (format `memory` unless told otherwise). */
export class TensorSet implements TensorReader {
  readonly format: FormatId;
  readonly source: string;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  private readonly byKey = new Map<string, Tensor>();
  private readonly layerList: readonly LayerInfo[] | undefined;

  constructor(tensors: Iterable<Tensor>, opts: TensorSetOptions = {}) {
    for (const t of tensors) {
      if (this.byKey.has(t.key)) throw new InvalidArgumentError(`two tensors share the key '${t.key}'`, { file: opts.source });
      this.byKey.set(t.key, t);
    }
    this.format = opts.format ?? 'memory';
    this.source = opts.source ?? '<memory>';
    this.metadata = opts.metadata;
    this.layerList = opts.layers;
  }

  list(): readonly TensorInfo[] {
    return [...this.byKey.values()].map(infoOf);
  }
  async read(key: string): Promise<Tensor> {
    const t = this.byKey.get(key);
    if (!t) throw new TensorNotFoundError(key, [...this.byKey.keys()], { file: this.source });
    return t;
  }
  async *tensors(): AsyncIterable<Tensor> {
    yield* this.byKey.values();
  }
  layers(): readonly LayerInfo[] {
    return this.layerList ?? [];
  }
  async close(): Promise<void> {}
}

/**
 * The tensors of `base`, with some replaced. Replacements must keep the key; shape and
 * dtype may change only when `allowReshape` is set (Keras and TF restore by shape).
 */
export class OverlayReader implements TensorReader {
  private readonly replaced: Map<string, Tensor>;

  constructor(private readonly base: TensorReader, replacements: Iterable<Tensor>, opts: { allowReshape?: boolean } = {}) {
    const infos = new Map(base.list().map((i) => [i.key, i]));
    this.replaced = new Map();
    for (const t of replacements) {
      const old = infos.get(t.key);
      if (!old) throw new TensorNotFoundError(t.key, [...infos.keys()], { file: base.source });
      if (!opts.allowReshape && (old.dtype !== t.dtype || old.shape.join() !== t.shape.join())) {
        throw new InvalidArgumentError(`replacement for '${t.key}' is ${t.dtype} [${t.shape.join(', ')}], the file has ${old.dtype} [${old.shape.join(', ')}]`, {
          file: base.source, entry: t.key, expected: `${old.dtype} [${old.shape.join(', ')}]`, found: `${t.dtype} [${t.shape.join(', ')}]`,
        });
      }
      // Keep the file's names, role and layer: only the values change.
      this.replaced.set(t.key, { ...old, dtype: t.dtype, shape: t.shape, byteLength: t.byteLength, data: t.data, ...(t.strings ? { strings: t.strings } : {}) });
    }
  }

  get format(): FormatId {
    return this.base.format;
  }
  get source(): string {
    return this.base.source;
  }
  get metadata(): Readonly<Record<string, unknown>> | undefined {
    return this.base.metadata;
  }
  list(): readonly TensorInfo[] {
    return this.base.list().map((i) => (this.replaced.has(i.key) ? infoOf(this.replaced.get(i.key)!) : i));
  }
  read(key: string, options?: ReadOptions): Promise<Tensor> {
    const t = this.replaced.get(key);
    return t ? Promise.resolve(t) : this.base.read(key, options);
  }
  async *tensors(options?: ReadOptions): AsyncIterable<Tensor> {
    for await (const t of this.base.tensors(options)) yield this.replaced.get(t.key) ?? t;
  }
  layers(): readonly LayerInfo[] {
    return this.base.layers?.() ?? [];
  }
  // A checkpoint's own views (data order, entries, header, object graph) stay available, so
  // saving an edited checkpoint keeps its shards, order and object graph.
  dataOrder(): readonly string[] | undefined {
    return (this.base as TensorReader & { dataOrder?: () => readonly string[] }).dataOrder?.();
  }
  entries(): unknown {
    return (this.base as TensorReader & { entries?: () => unknown }).entries?.();
  }
  objectGraph(): unknown {
    return (this.base as TensorReader & { objectGraph?: () => unknown }).objectGraph?.();
  }
  get header(): unknown {
    return (this.base as TensorReader & { header?: unknown }).header;
  }
  close(): Promise<void> {
    return this.base.close();
  }
}
