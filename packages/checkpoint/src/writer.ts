/**
 * BundleWriter: writes a tensor bundle TensorFlow restores, byte-identical to TF's own
 * BundleWriter + MergeBundles output when given the same tensors in the same order
 * (tensor_bundle.cc; FORMATS.md §2.2.5, §2.7, §2.9). Data goes to the shard sinks as tensors
 * arrive; the index (sorted keys) is written at finish().
 */
import {
  allowsWriteBehind, checkLength, checkTensor, checkTensorInfo, chunkWriter, crc32c, Crc32c, dtypeInfo, InvalidArgumentError, maskCrc32c, numElements, verifiedCrc32cOf,
  type ByteSink, type ChunkedTensor, type DTypeName, type Tensor, type TensorInfo, type TensorWriter,
} from '@tfweights/core';
import { BUNDLE_VERSION, encodeEntry, encodeHeader, type BundleEntry, type SliceExtent, type VersionDef } from './bundle-proto.js';
import { compareBytes } from './sstable-format.js';
import { TableBuilder } from './sstable-write.js';
import { encodeSliceKey, sliceSpec } from './slice-key.js';
import { isFullSlice, sliceBounds } from './slice-extract.js';
import { encodeStringTensor } from './string-tensor.js';
import { encodeVariantTensor } from './variant-tensor.js';

export interface BundleWriterOptions {
  /**
   * Picks the data shard of each tensor written without an explicit `shard`
   * (default: the shard with the fewest bytes so far).
   */
  shardOf?: (tensor: TensorInfo, shardSizes: readonly number[]) => number;
  /** Header version (default `{producer: 1}`, what TF writes). */
  version?: Partial<VersionDef>;
}

export interface WriteOptions {
  /** Data shard to append this tensor to. */
  shard?: number;
}

interface Pending {
  keyBytes: Uint8Array;
  entry: BundleEntry;
}

/** A tensor bundle writer over one index sink and one sink per data shard. */
export class BundleWriter implements TensorWriter {
  private readonly pending = new Map<string, Pending>();
  private readonly fulls = new Map<string, { dtype: DTypeName; shape: number[]; slices: SliceExtent[][]; shardId?: number; declared?: Set<string> }>();
  private readonly sizes: number[];
  private done = false;

  /**
   * @param index sink of `<prefix>.index`
   * @param shards sinks of `<prefix>.data-0000i-of-0000n`, in shard order (at least one)
   */
  constructor(private readonly index: ByteSink, private readonly shards: readonly ByteSink[], private readonly opts: BundleWriterOptions = {}) {
    if (shards.length < 1) throw new InvalidArgumentError('a bundle needs at least one data shard', { file: index.name });
    this.sizes = shards.map(() => 0);
  }

  /** Number of data shards. */
  get numShards(): number {
    return this.shards.length;
  }

  /** Append one tensor's data and remember its entry; keys must be unique. */
  async write(tensor: Tensor, options: WriteOptions = {}): Promise<void> {
    checkTensor(tensor, this.index.name);
    await this.add(tensor.key, tensor, options);
  }

  /**
   * Append one fixed-size tensor from its chunks: each is checksummed and written as it
   * arrives, so memory stays at one chunk whatever the tensor's size.
   */
  async writeChunked(tensor: ChunkedTensor, options: WriteOptions = {}): Promise<void> {
    checkTensorInfo(tensor, this.index.name);
    if (dtypeInfo(tensor.dtype).itemSize === 0) throw new InvalidArgumentError(`tensor '${tensor.key}' of ${tensor.dtype} cannot be written from chunks`, { file: this.index.name });
    const { mapKey, shard, sink } = this.place(tensor.key, tensor, options);
    const offset = sink.position;
    // Bytes a reader verified against a stored CRC-32C pass with it (the reader throws before
    // the last chunk ends if they differ): one CRC pass for checkpoint → checkpoint, not two.
    const known = verifiedCrc32cOf(tensor);
    const crc = new Crc32c();
    const put = chunkWriter(sink, allowsWriteBehind(tensor));
    for await (const c of checkLength(tensor, tensor.chunks())) {
      if (known === undefined) crc.update(c);
      await put(c);
    }
    this.record(mapKey, new TextEncoder().encode(tensor.key), tensor, shard, offset, tensor.byteLength, known ?? maskCrc32c(crc.value()));
  }

  /**
   * Fix the order in which the full entry of `fullKey` lists its slices (default: the order
   * they are written); every declared slice must then be written before finish().
   */
  declareSlices(fullKey: string, dtype: DTypeName, fullShape: readonly number[], slices: readonly (readonly SliceExtent[])[]): void {
    if (this.fulls.has(fullKey) || this.pending.has(fullKey)) throw new InvalidArgumentError('slices declared for a key already written', { entry: fullKey });
    for (const ext of slices) sliceBounds(fullShape, ext, fullKey);
    this.fulls.set(fullKey, {
      dtype, shape: [...fullShape], slices: slices.map((x) => x.map((e) => ({ ...e }))), declared: new Set(slices.map((x) => sliceSpec(x))),
    });
  }

  /**
   * Append one slice of a partitioned tensor (TF's BundleWriter::AddSlice): the slice is stored
   * under its encoded slice key, and `fullKey` lists every slice with the full shape, in the
   * order they were written (MergeBundles keeps shard order, so TF's lists follow data order).
   * Extents are stored as given (`{start: 0, length: 4}` and a full dimension differ in bytes).
   * A slice covering the whole tensor is stored as a plain tensor under `fullKey`, as TF does.
   */
  async writeSlice(fullKey: string, fullShape: readonly number[], extents: readonly SliceExtent[], slice: Tensor, options: WriteOptions = {}): Promise<void> {
    const { length } = sliceBounds(fullShape, extents, fullKey);
    length.forEach((len, d) => {
      if (slice.shape[d] !== len) throw new InvalidArgumentError('slice tensor shape does not match its extents', { entry: fullKey, expected: `dimension ${d} = ${len}`, found: String(slice.shape[d]) });
    });
    if (isFullSlice(fullShape, extents)) {
      if (this.fulls.has(fullKey)) throw new InvalidArgumentError('a whole-tensor slice of a tensor that has other slices', { entry: fullKey });
      await this.add(fullKey, { ...slice, key: fullKey }, options);
      return;
    }
    let full = this.fulls.get(fullKey);
    if (!full) {
      if (this.pending.has(fullKey)) throw new InvalidArgumentError('duplicate key', { entry: fullKey });
      full = { dtype: slice.dtype, shape: [...fullShape], slices: [] };
      this.fulls.set(fullKey, full);
    } else if (full.dtype !== slice.dtype || full.shape.join() !== fullShape.join()) {
      throw new InvalidArgumentError('slices of one tensor must agree on dtype and full shape', { entry: fullKey });
    }
    const keyBytes = encodeSliceKey(fullKey, extents);
    const latin = String.fromCharCode(...keyBytes);
    if (!full.declared) full.slices.push(extents.map((e) => ({ ...e })));
    else if (!full.declared.delete(sliceSpec(extents))) throw new InvalidArgumentError('slice was not declared for this tensor', { entry: `${fullKey}@${sliceSpec(extents)}` });
    await this.add(latin, slice, options, keyBytes);
    // MergeBundles keeps the full entry of the first shard bundle holding a slice, with that
    // shard's id (tensor_bundle.cc MergeOneBundle): the lowest shard of any of its slices.
    const shard = this.pending.get(latin)!.entry.shardId;
    full.shardId = Math.min(full.shardId ?? shard, shard);
  }

  /** Check the key and pick the shard of a new tensor. */
  private place(mapKey: string, t: TensorInfo, options: WriteOptions): { mapKey: string; shard: number; sink: ByteSink } {
    if (this.done) throw new InvalidArgumentError('write after finish', { file: this.index.name });
    if (this.pending.has(mapKey) || this.fulls.has(mapKey) || mapKey === '') throw new InvalidArgumentError(mapKey === '' ? 'the empty key is reserved for the header' : 'duplicate key', { file: this.index.name, entry: t.key });
    const shard = options.shard ?? (this.opts.shardOf ? this.opts.shardOf(t, this.sizes) : this.sizes.indexOf(Math.min(...this.sizes)));
    const sink = this.shards[shard];
    if (!Number.isInteger(shard) || !sink) throw new InvalidArgumentError('no such data shard', { entry: t.key, expected: `0 to ${this.shards.length - 1}`, found: String(shard) });
    return { mapKey, shard, sink };
  }

  /** Remember a written tensor's index entry. */
  private record(mapKey: string, keyBytes: Uint8Array, t: TensorInfo, shard: number, offset: number, size: number, crc: number): void {
    this.sizes[shard] = this.shards[shard]!.position;
    this.pending.set(mapKey, { keyBytes, entry: { dtype: t.dtype, shape: [...t.shape], shardId: shard, offset, size, crc32c: crc } });
  }

  private async add(mapKey: string, t: Tensor, options: WriteOptions, keyBytes: Uint8Array = new TextEncoder().encode(t.key)): Promise<void> {
    const { shard, sink } = this.place(mapKey, t, options);
    const info = dtypeInfo(t.dtype);
    let bytes: Uint8Array;
    let crc: number;
    if (t.dtype === 'string') {
      const n = numElements(t.shape);
      if (!t.strings || t.strings.length !== n) throw new InvalidArgumentError('string tensor needs one element per shape entry', { entry: t.key, expected: String(n), found: String(t.strings?.length) });
      ({ bytes, crc32c: crc } = encodeStringTensor(t.strings));
    } else if (t.dtype === 'variant') {
      // Elements are serialized VariantTensorDataProtos, as the reader returns them.
      const n = numElements(t.shape);
      if (!t.strings || t.strings.length !== n) throw new InvalidArgumentError('variant tensor needs one serialized element per shape entry', { entry: t.key, expected: String(n), found: String(t.strings?.length) });
      ({ bytes, crc32c: crc } = encodeVariantTensor(t.strings));
    } else if (info.itemSize === 0) {
      throw new InvalidArgumentError('DT_RESOURCE tensors cannot be saved', { entry: t.key });
    } else {
      const expected = numElements(t.shape) * info.itemSize;
      if (t.data.byteLength !== expected) throw new InvalidArgumentError('tensor data does not match its shape', { entry: t.key, expected: `${expected} bytes`, found: `${t.data.byteLength}` });
      bytes = t.data;
      crc = maskCrc32c(crc32c(bytes));
    }
    const offset = sink.position;
    await sink.write(bytes);
    this.record(mapKey, keyBytes, t, shard, offset, bytes.byteLength, crc);
  }

  /** Write the index and move every file into place. */
  async finish(): Promise<void> {
    if (this.done) throw new InvalidArgumentError('finish called twice', { file: this.index.name });
    this.done = true;
    try {
      const rows: Pending[] = [...this.pending.values()];
      const enc = new TextEncoder();
      for (const [key, f] of this.fulls) {
        if (f.declared && f.declared.size > 0) throw new InvalidArgumentError('declared slices were never written', { file: this.index.name, entry: `${key}@${[...f.declared].join(', ')}` });
        rows.push({ keyBytes: enc.encode(key), entry: { dtype: f.dtype, shape: f.shape, shardId: f.shardId ?? 0, offset: 0, size: 0, crc32c: 0, slices: f.slices } });
      }
      rows.sort((a, b) => compareBytes(a.keyBytes, b.keyBytes));
      const table = new TableBuilder();
      table.add(new Uint8Array(0), encodeHeader({
        numShards: this.shards.length, endianness: 'little',
        version: { producer: this.opts.version?.producer ?? BUNDLE_VERSION, minConsumer: this.opts.version?.minConsumer ?? 0, badConsumers: this.opts.version?.badConsumers ?? [] },
      }));
      for (const r of rows) table.add(r.keyBytes, encodeEntry(r.entry));
      await this.index.write(table.finish());
      for (const s of this.shards) await s.finish();
      await this.index.finish();
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Drop every partial output. */
  async abort(): Promise<void> {
    this.done = true;
    for (const s of this.shards) await s.abort().catch(() => undefined);
    await this.index.abort().catch(() => undefined);
  }
}

/** The same writer under the name the format is known by. */
export const CheckpointWriter = BundleWriter;
export type CheckpointWriter = BundleWriter;
