/**
 * WeightsFile: what `open()` returns. Any format's reader, plus the views users ask for:
 * layers in model order with their weights (`model.layers` / `get_weights()`), lookup by key
 * or readable name, layers inside nested models by path, and edited copies for `save()`.
 */
import { TensorNotFoundError, type FormatId, type LayerInfo, type ReadOptions, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import { layersOf } from '@tfweights/tfjs/codec';
import { findTensor, modelOrder } from './lookup.js';
import { readableName } from './mapping/normalise.js';
import { OverlayReader } from './tensor-set.js';

export class WeightsFile implements TensorReader {
  constructor(
    /** The format's own reader (CheckpointReader, KerasReader …) for format-specific calls. */
    readonly reader: TensorReader,
  ) {}

  /** Format id: `checkpoint`, `savedmodel`, `keras-h5`, `keras3`, `npy`, `npz`, `tfjs`, `safetensors` … */
  get format(): FormatId {
    return this.reader.format;
  }
  get source(): string {
    return this.reader.source;
  }
  /** Format-level facts: versions, tags, Keras model config … */
  get metadata(): Readonly<Record<string, unknown>> | undefined {
    return this.reader.metadata;
  }

  /** Every tensor (no data read), in model order where the format knows it. */
  list(): readonly TensorInfo[] {
    return modelOrder(this.reader);
  }

  /** Facts about one tensor, found by key, readable name (`dense/kernel`) or a unique loose match. */
  info(name: string): TensorInfo {
    return findTensor(this.reader, name);
  }

  /** One tensor by key or readable name; one ranged read. */
  read(name: string, options?: ReadOptions): Promise<Tensor> {
    return this.reader.read(this.info(name).key, options);
  }

  /** Every tensor in file order (for streaming). */
  tensors(options?: ReadOptions): AsyncIterable<Tensor> {
    return this.reader.tensors(options);
  }

  /**
   * Layers in model order, each with its weights' keys in the layer's own order. Formats
   * without layers (checkpoints, SavedModels, npz …) group their weights by layer path, in
   * model order; optimizer state, bookkeeping and metadata are not layers.
   */
  layers(): readonly LayerInfo[] {
    const own = this.reader.layers?.() ?? [];
    if (own.length > 0) return own;
    const weights = this.list().filter((i) => (i.role ?? 'weight') === 'weight');
    return layersOf({ list: () => weights });
  }

  /**
   * One layer's weights, like Keras `model.get_layer(name).get_weights()`. `name` is a layer
   * name, or a path into nested models (`encoder/dense_1`): the weights whose readable names
   * start with that path.
   */
  layer(name: string): { name: string; weights: TensorInfo[] } {
    const byKey = new Map(this.reader.list().map((i) => [i.key, i]));
    const own = this.layers().find((l) => l.name === name);
    if (own) return { name, weights: own.weights.map((k) => byKey.get(k)!).filter(Boolean) };
    const prefix = `${name.replace(/\/+$/, '')}/`;
    const inside = this.list().filter((i) => readableName(i).startsWith(prefix) || (i.layer !== undefined && `${i.layer}/${readableName(i)}`.startsWith(prefix)));
    if (inside.length > 0) return { name, weights: inside };
    const names = [...new Set([...this.layers().map((l) => l.name), ...this.list().map((i) => readableName(i).split('/').slice(0, -1).join('/'))])].filter(Boolean);
    throw new TensorNotFoundError(name, names, { file: this.source, expected: 'a layer name or a path into a nested model' });
  }

  /** The values of one layer's weights, in the layer's order (`get_weights()`). */
  async readLayer(name: string, options?: ReadOptions): Promise<Tensor[]> {
    const out: Tensor[] = [];
    for (const info of this.layer(name).weights) out.push(await this.reader.read(info.key, options));
    return out;
  }

  /**
   * A reader over this file with some tensors replaced (matched by key or readable name);
   * the rest are read from the file when saved. Format, layers and metadata (e.g. the Keras
   * model config) carry over, so `save(file.withValues([...]), 'out.h5')` keeps the model.
   */
  withValues(replacements: Iterable<Tensor>, opts: { allowReshape?: boolean } = {}): OverlayReader {
    const keyed = [...replacements].map((t) => ({ ...t, key: this.info(t.key).key }));
    return new OverlayReader(this.reader, keyed, opts);
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
