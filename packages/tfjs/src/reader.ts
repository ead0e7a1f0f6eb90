/**
 * Lazy tfjs reader. Opening parses model.json only (plus, for string weights, their length
 * prefixes: nothing else tells where the following weights start). `read(key)` opens the
 * group's shards on first use and reads just the weight's byte range across them.
 */
import {
  chunkBytesOf, chunkedOf, CorruptDataError, dtypeInfo, mapElements, sourceChunks, LimitExceededError, makeStringTensor, makeTensor, numElements, TensorNotFoundError, withWriteBehind,
  UnsupportedDtypeError,
  type ByteSource, type ChunkedTensor, type DTypeName, type LayerInfo, type ReadOptions, type Tensor, type TensorInfo, type TensorReader,
} from '@tfweights/core';
import { ConcatSource } from './concat-source.js';
import { parseModelJson, type ModelJson, type WeightsManifestEntry } from './model-json.js';
import { dequantize, quantizedItemSize } from './quantization.js';
import { decodeStrings } from './strings.js';
import { layerOfWeight, topologyLayers, type TopologyLayer } from './topology.js';

/** Opens a shard named as in `weightsManifest[].paths` (relative to model.json). */
export type ShardResolver = (path: string) => Promise<ByteSource>;

export interface OpenTfjsOptions {
  /** Opens shard files; paths are as written in the manifest, relative to model.json. */
  resolve: ShardResolver;
  /** Name of the model.json (path or URL), for messages. */
  name?: string;
}

/** Where one weight's stored bytes are. */
interface Placed {
  readonly entry: WeightsManifestEntry;
  readonly group: number;
  readonly offset: number;
  readonly storedLength: number;
  readonly info: TensorInfo;
}

/** Element size in the shards; throws for dtypes with no fixed size. */
function storedItemSize(e: WeightsManifestEntry, file: string): number {
  if (e.quantization) return quantizedItemSize(e.quantization.dtype);
  const size = dtypeInfo(e.dtype).itemSize;
  if (size === 0) throw new UnsupportedDtypeError(`weight dtype ${e.dtype} has no fixed size in tfjs shards`, { file, entry: e.name });
  return size;
}

export class TfjsReader implements TensorReader {
  readonly format = 'tfjs' as const;
  readonly source: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  private readonly placed = new Map<string, Placed>();
  private readonly order: Placed[] = [];
  private readonly groups = new Map<number, Promise<ConcatSource>>();
  /** Where each group's weights end (checked against its shards once per read, so kept, not summed: 10^5 weights). */
  private readonly groupEnds = new Map<number, number>();
  private readonly layerList: TopologyLayer[];

  private constructor(readonly model: ModelJson, private readonly opts: OpenTfjsOptions, placed: Placed[]) {
    this.source = opts.name ?? 'model.json';
    this.layerList = topologyLayers(model.modelTopology);
    for (const p of placed) {
      this.placed.set(p.entry.name, p);
      this.order.push(p);
      this.groupEnds.set(p.group, p.offset + p.storedLength);
    }
    const { modelTopology: _t, weightsManifest, ...rest } = model;
    this.metadata = { ...rest, groups: weightsManifest.map((g) => g.paths) };
  }

  /** Parse a model.json (text, bytes or object) and plan where every weight is. */
  static async open(modelJson: string | Uint8Array | ModelJson, opts: OpenTfjsOptions): Promise<TfjsReader> {
    const file = opts.name ?? 'model.json';
    const model = typeof modelJson === 'object' && !(modelJson instanceof Uint8Array)
      ? parseModelJson(JSON.stringify(modelJson), file)
      : parseModelJson(modelJson, file);
    const layers = topologyLayers(model.modelTopology);
    const placed: Placed[] = [];
    const opened = new Map<number, Promise<ConcatSource>>();
    for (const [gi, group] of model.weightsManifest.entries()) {
      let offset = 0;
      const needsWalk = group.weights.some((w) => w.dtype === 'string' && !w.quantization);
      const src = needsWalk ? openGroup(model, gi, opts, file) : undefined;
      if (src) opened.set(gi, src);
      for (const e of group.weights) {
        const n = numElements(e.shape, `shape of '${e.name}'`);
        let storedLength: number;
        let byteLength: number;
        if (e.dtype === 'string' && !e.quantization) {
          const lengths = await walkStrings(await src!, offset, n, e.name);
          storedLength = lengths.stored;
          byteLength = lengths.payload;
        } else {
          storedLength = n * storedItemSize(e, file);
          byteLength = n * dtypeInfo(e.dtype).itemSize;
        }
        if (!Number.isSafeInteger(offset + storedLength)) throw new LimitExceededError('weights are too large', { file, entry: e.name });
        const layer = layerOfWeight(e.name, layers) ?? (e.name.includes('/') ? e.name.slice(0, e.name.lastIndexOf('/')) : undefined);
        const attrs: Record<string, string | number | boolean> = { group: gi };
        if (e.quantization) attrs.quantization = e.quantization.dtype;
        const info: TensorInfo = {
          key: e.name, name: e.name, dtype: e.dtype as DTypeName, shape: [...e.shape], byteLength,
          role: e.group === 'optimizer' ? 'optimizer' : 'weight', ...(layer ? { layer } : {}), attrs,
        };
        placed.push({ entry: e, group: gi, offset, storedLength, info });
        offset += storedLength;
      }
    }
    const r = new TfjsReader(model, opts, placed);
    for (const [gi, src] of opened) r.groups.set(gi, src);
    return r;
  }

  /** `layers-model`, `graph-model`, or undefined when model.json does not say. */
  get modelFormat(): string | undefined {
    return typeof this.model.format === 'string' ? this.model.format : undefined;
  }

  /** The model topology (Keras/tfjs-layers config or GraphDef JSON) as stored. */
  get modelTopology(): unknown {
    return this.model.modelTopology;
  }

  list(): readonly TensorInfo[] {
    return this.order.map((p) => p.info);
  }

  /** Top-level layers with their weights in manifest order (layers-models only). */
  layers(): readonly LayerInfo[] {
    const byLayer = new Map<string, string[]>();
    for (const p of this.order) {
      if (p.info.layer === undefined) continue;
      const names = byLayer.get(p.info.layer);
      if (names) names.push(p.entry.name);
      else byLayer.set(p.info.layer, [p.entry.name]);
    }
    return this.layerList.map((l) => ({
      name: l.name,
      ...(l.className ? { className: l.className } : {}),
      weights: byLayer.get(l.name) ?? [],
    }));
  }

  async read(key: string, _options?: ReadOptions): Promise<Tensor> {
    const p = this.placed.get(key);
    if (!p) throw new TensorNotFoundError(key, [...this.placed.keys()], { file: this.source });
    return this.load(p);
  }

  /**
   * A weight's bytes in chunks straight from its shards (a weight may span shard files: each
   * chunk is read from every shard it touches), in sourceChunks' three reused buffers, so a
   * writer may write each one behind (withWriteBehind); quantized weights are dequantized chunk
   * by chunk (into mapElements' buffers, not marked). String weights are read whole.
   */
  async readChunked(key: string, options: ReadOptions = {}): Promise<ChunkedTensor> {
    const p = this.placed.get(key);
    if (!p) throw new TensorNotFoundError(key, [...this.placed.keys()], { file: this.source });
    if (p.entry.dtype === 'string') return chunkedOf(await this.load(p));
    const src = await this.checkedSource(p);
    const { info, entry } = p;
    const chunkBytes = chunkBytesOf(options);
    const what = `weight '${entry.name}'`;
    const q = entry.quantization;
    const chunks = q
      ? () => mapElements(sourceChunks(src, p.offset, p.storedLength, { chunkBytes, what }), quantizedItemSize(q.dtype), dtypeInfo(info.dtype).itemSize,
        (input, output) => output.set(dequantize(input, q, entry.dtype as 'float32' | 'int32')))
      : withWriteBehind(() => sourceChunks(src, p.offset, p.storedLength, { chunkBytes, what }));
    return { ...info, chunks };
  }

  async *tensors(_options?: ReadOptions): AsyncIterable<Tensor> {
    for (const p of this.order) yield this.load(p);
  }

  /** The concatenated shards of one group (opened once). */
  groupSource(group: number): Promise<ConcatSource> {
    let src = this.groups.get(group);
    if (!src) {
      src = openGroup(this.model, group, this.opts, this.source);
      this.groups.set(group, src);
    }
    return src;
  }

  async close(): Promise<void> {
    const all = [...this.groups.values()];
    this.groups.clear();
    for (const s of all) await (await s.catch(() => undefined))?.close();
  }

  /** The group's shards, refused when shorter than the manifest says. */
  private async checkedSource(p: Placed): Promise<ConcatSource> {
    const src = await this.groupSource(p.group);
    const needed = this.groupBytes(p.group);
    if (src.size < needed) {
      throw new CorruptDataError('shards are shorter than the weights manifest says', {
        file: src.name, entry: p.entry.name, expected: `${needed} bytes`, found: `${src.size}`,
      });
    }
    return src;
  }

  private async load(p: Placed): Promise<Tensor> {
    const src = await this.checkedSource(p);
    const stored = await src.read(p.offset, p.storedLength, `weight '${p.entry.name}'`);
    const { info, entry } = p;
    const opts = { name: info.name, ...(info.role ? { role: info.role } : {}), ...(info.layer ? { layer: info.layer } : {}), ...(info.attrs ? { attrs: { ...info.attrs } } : {}) };
    if (entry.dtype === 'string') {
      return makeStringTensor(entry.name, entry.shape, decodeStrings(stored, numElements(entry.shape), src.name, entry.name, p.offset), opts);
    }
    const data = entry.quantization ? dequantize(stored, entry.quantization, entry.dtype as 'float32' | 'int32') : stored;
    return makeTensor(entry.name, info.dtype, info.shape, data, opts);
  }

  private groupBytes(group: number): number {
    return this.groupEnds.get(group) ?? 0;
  }
}

async function openGroup(model: ModelJson, gi: number, opts: OpenTfjsOptions, file: string): Promise<ConcatSource> {
  const paths = model.weightsManifest[gi]!.paths;
  const parts: ByteSource[] = [];
  try {
    for (const path of paths) parts.push(await opts.resolve(path));
  } catch (err) {
    for (const p of parts) await p.close?.();
    throw err;
  }
  return new ConcatSource(parts, paths.length === 1 ? parts[0]!.name : `${file} group ${gi + 1} (${paths.join(', ')})`);
}

/** Walk `count` length-prefixed strings from `offset`, reading in chunks; bounded by the source size. */
async function walkStrings(src: ByteSource, offset: number, count: number, entry: string): Promise<{ stored: number; payload: number }> {
  let at = offset;
  let payload = 0;
  let buf: Uint8Array = new Uint8Array(0);
  let bufStart = offset;
  for (let i = 0; i < count; i++) {
    if (at + 4 > src.size) throw new CorruptDataError('string weight runs past the end of its shards', { file: src.name, entry, offset: at });
    if (at + 4 > bufStart + buf.byteLength) {
      bufStart = at;
      buf = await src.read(at, Math.min(src.size - at, 65536), `string lengths of '${entry}'`);
    }
    const len = new DataView(buf.buffer, buf.byteOffset + (at - bufStart), 4).getUint32(0, true);
    at += 4 + len;
    payload += len;
  }
  if (at > src.size) throw new CorruptDataError('string weight runs past the end of its shards', { file: src.name, entry, offset: at, expected: `≤ ${src.size}` });
  return { stored: at - offset, payload };
}
