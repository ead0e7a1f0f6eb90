/**
 * CheckpointReader: lists a tensor bundle from its .index alone, reads one tensor with one
 * ranged read of its data shard, verifies CRC-32C while reading, byte-swaps big-endian bundles,
 * decodes strings and variants (as their serialized VariantTensorDataProto elements) and assembles partitioned tensors (tensor_bundle.cc BundleReader; FORMATS.md §2).
 */
import {
  ChecksumMismatchError, chunkedOf, CorruptDataError, crc32c, Crc32c, dtypeInfo, LimitExceededError, makeStringTensor,
  chunkBytesOf, numElements, sourceChunks, swapBytesInPlace, TensorNotFoundError, unmaskCrc32c, UnsupportedDtypeError, verified, withVerifiedCrc32c, withWriteBehind,
  type ByteSource, type ChunkedTensor, type DTypeName, type ReadOptions, type Tensor, type TensorInfo, type TensorReader,
} from '@tfweights/core';
import { decodeEntry, decodeHeader, type BundleHeader, type SliceExtent } from './bundle-proto.js';
import { OBJECT_GRAPH_KEY } from './key-names.js';
import { Namer } from './naming.js';
import { decodeTrackableObjectGraph, type TrackableObjectGraph } from './object-graph-proto.js';
import { encodeSliceKey, sliceSpec } from './slice-key.js';
import { forEachRun, resolveExtents } from './slices.js';
import { readTable, type TableLayout } from './sstable-read.js';
import { decodeStringTensor } from './string-tensor.js';
import { decodeVariantTensor } from './variant-tensor.js';

/** Opens data shard `shardId` of `numShards` (e.g. `<prefix>.data-00000-of-00001`). */
export type OpenShard = (shardId: number, numShards: number) => Promise<ByteSource>;

export interface OpenBundleOptions {
  /** Verify block and tensor CRC-32Cs (default true). */
  verifyChecksums?: boolean;
  /** Label used in messages and as `source` (default: the index source's name). */
  name?: string;
  /**
   * Decode `_CHECKPOINTABLE_OBJECT_GRAPH` at open for readable names, full names and roles
   * (default true: one small ranged read of its shard). False reads the index only.
   */
  objectGraph?: boolean;
}

/** One index entry, as stored. */
export interface CheckpointEntry {
  /** Tensor key (UTF-8); for a slice entry, `<full key>@<slice spec>`. */
  readonly key: string;
  /** The key exactly as stored in the index. */
  readonly keyBytes: Uint8Array;
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  readonly shardId: number;
  readonly offset: number;
  readonly size: number;
  /** Masked CRC-32C as stored. */
  readonly crc32c: number;
  /** For the full-tensor entry of a partitioned variable: every stored slice. */
  readonly slices?: readonly (readonly SliceExtent[])[];
  /** For a slice entry: the full tensor it belongs to and its extents. */
  readonly sliceOf?: { readonly key: string; readonly extents: readonly SliceExtent[] };
}

/** Facts of the bundle header. */
export interface CheckpointHeader {
  readonly numShards: number;
  readonly endianness: 'little' | 'big';
  readonly version: { readonly producer: number; readonly minConsumer: number; readonly badConsumers: readonly number[] };
}

const decoder = new TextDecoder();

/** Bytes `tensors()` may have in flight beyond the tensor being handed out. */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;

/** Open a bundle from its index and a way to open its data shards (nothing is read from them yet). */
export async function openBundle(index: ByteSource, openShard: OpenShard, opts: OpenBundleOptions = {}): Promise<CheckpointReader> {
  const verify = opts.verifyChecksums ?? true;
  const { entries: raw, layout } = await readTable(index, { verifyChecksums: verify });
  const file = index.name;
  const first = raw[0];
  if (!first || first.key.length !== 0) {
    throw new CorruptDataError('checkpoint index has no header entry (empty key)', { file, expected: 'a BundleHeaderProto under key ""' });
  }
  const header = decodeHeader(first.value, { file, entry: '<header>' });
  const entries: CheckpointEntry[] = [];
  const byKeyBytes = new Map<string, CheckpointEntry>();
  for (const e of raw.slice(1)) {
    const key = decoder.decode(e.key);
    const where = { file, entry: key };
    const p = decodeEntry(e.value, where);
    if (p.shardId >= header.numShards) {
      throw new CorruptDataError('entry names a shard the header does not have', { ...where, expected: `shard < ${header.numShards}`, found: String(p.shardId) });
    }
    const n = numElementsOrThrow(p.shape, where);
    const info = dtypeInfo(p.dtype);
    if (!p.slices) {
      if (info.itemSize > 0 && p.size !== n * info.itemSize) {
        throw new CorruptDataError('entry size does not match its dtype and shape', { ...where, expected: `${n * info.itemSize} bytes (${n} × ${p.dtype})`, found: `${p.size}` });
      }
      if (p.dtype === 'string' && p.size < n + 4) {
        throw new CorruptDataError('string entry is smaller than its element count allows', { ...where, expected: `at least ${n + 4} bytes`, found: `${p.size}` });
      }
      if (p.dtype === 'resource') throw new UnsupportedDtypeError('DT_RESOURCE cannot be stored in a bundle', where);
    }
    const entry: CheckpointEntry = { key, keyBytes: e.key, ...p };
    entries.push(entry);
    byKeyBytes.set(latin1(e.key), entry);
  }
  // Slice entries are hidden behind their full tensor (checkpoint_reader.cc does the same).
  const hidden = new Map<string, CheckpointEntry>();
  for (const full of entries) {
    for (const ext of full.slices ?? []) {
      const k = latin1(encodeSliceKey(full.key, ext));
      const s = byKeyBytes.get(k);
      if (!s) throw new CorruptDataError('partitioned tensor names a slice the index does not hold', { file, entry: `${full.key} slice ${sliceSpec(ext)}` });
      if (s.dtype !== full.dtype) throw new CorruptDataError('slice dtype differs from its tensor', { file, entry: full.key, expected: full.dtype, found: s.dtype });
      hidden.set(k, { ...s, key: `${full.key}@${sliceSpec(ext)}`, sliceOf: { key: full.key, extents: ext } });
    }
  }
  const all = entries.map((e) => hidden.get(latin1(e.keyBytes)) ?? e);
  const reader = new CheckpointReader(opts.name ?? file, header, all, layout, openShard, verify);
  await reader.loadObjectGraph(opts.objectGraph ?? true);
  return reader;
}

function numElementsOrThrow(shape: readonly number[], where: { file: string; entry: string }): number {
  try {
    return numElements(shape);
  } catch (cause) {
    throw new LimitExceededError(`tensor shape [${shape.join(', ')}] is too large`, { ...where, cause });
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

/** A lazily read tensor bundle (TF1/TF2 checkpoint or SavedModel variables). */
export class CheckpointReader implements TensorReader {
  readonly format = 'checkpoint';
  private readonly visible: CheckpointEntry[];
  private readonly byKey = new Map<string, CheckpointEntry>();
  private readonly byName = new Map<string, CheckpointEntry | null>();
  private infos: TensorInfo[] = [];
  private readonly infoByKey = new Map<string, TensorInfo>();
  private graph: TrackableObjectGraph | undefined;
  private readonly shards = new Map<number, Promise<ByteSource>>();
  private readonly shardTotal: number;

  /** @internal use {@link openBundle}. */
  constructor(
    readonly source: string,
    readonly header: CheckpointHeader,
    private readonly all: readonly CheckpointEntry[],
    /** SSTable structure of the index (handles, compression, raw data blocks). */
    readonly layout: TableLayout,
    private readonly openShard: OpenShard,
    private readonly verify: boolean,
  ) {
    this.visible = all.filter((e) => !e.sliceOf);
    for (const e of all) this.byKey.set(e.key, e);
    this.shardTotal = all.reduce((s, e) => s + (e.slices ? 0 : e.size), 0);
  }

  /** @internal decode the object graph (if any) and name every tensor. */
  async loadObjectGraph(decode: boolean): Promise<void> {
    const og = this.byKey.get(OBJECT_GRAPH_KEY);
    if (decode && og && og.dtype === 'string' && og.shape.length === 0 && !og.slices) {
      const t = await this.readEntry(og, this.verify);
      this.graph = decodeTrackableObjectGraph(t.strings![0]!, { file: this.source, entry: OBJECT_GRAPH_KEY });
    }
    const namer = new Namer(this.graph);
    this.infos = this.visible.map((e) => {
      const facts = namer.of(e.key);
      const info: TensorInfo = {
        key: e.key, name: facts.name, dtype: e.dtype, shape: e.shape, byteLength: this.byteLengthOf(e), role: facts.role,
        ...(facts.layer ? { layer: facts.layer } : {}), ...(facts.attrs ? { attrs: facts.attrs } : {}),
      };
      this.infoByKey.set(info.key, info);
      const prev = this.byName.get(info.name);
      this.byName.set(info.name, prev === undefined ? e : null);
      return info;
    });
  }

  private byteLengthOf(e: CheckpointEntry): number {
    const info = dtypeInfo(e.dtype);
    const n = numElements(e.shape);
    // Strings: upper bound until read (stored size minus checksum and one length byte each);
    // variants: minus one length byte and one 4-byte checksum per element.
    if (e.dtype === 'variant') return Math.max(0, e.size - 5 * n);
    if (info.itemSize === 0) return Math.max(0, e.size - 4 - n);
    return n * info.itemSize;
  }

  /** Every tensor (partitioned ones as their full tensor), in key order. */
  list(): readonly TensorInfo[] {
    return this.infos;
  }

  /** Every index entry except the header, slice entries included, in key order. */
  entries(): readonly CheckpointEntry[] {
    return this.all;
  }

  /** Keys of the entries holding data, in data-file order (shard, then offset). */
  dataOrder(): string[] {
    return this.all.filter((e) => !e.slices).sort((a, b) => a.shardId - b.shardId || a.offset - b.offset).map((e) => e.key);
  }

  /** The decoded TF2 object graph, or undefined for TF1 bundles. */
  objectGraph(): TrackableObjectGraph | undefined {
    return this.graph;
  }

  /** Format-level facts for `inspect`. */
  get metadata(): Readonly<Record<string, unknown>> {
    return {
      numShards: this.header.numShards, endianness: this.header.endianness, version: this.header.version,
      objectBased: this.graph !== undefined, entries: this.all.length, dataBytes: this.shardTotal,
    };
  }

  private find(key: string): CheckpointEntry {
    const e = this.byKey.get(key) ?? this.byName.get(key);
    if (!e) throw new TensorNotFoundError(key, this.infos.map((i) => i.key), { file: this.source });
    return e;
  }

  /** One tensor by key, readable name (when unique) or slice-entry key. */
  async read(key: string, options: ReadOptions = {}): Promise<Tensor> {
    const e = this.find(key);
    const verify = options.verifyChecksums ?? this.verify;
    const info = this.infoByKey.get(e.key);
    const t = e.slices ? await this.assemble(e, verify) : await this.readEntry(e, verify);
    return info ? { ...t, name: info.name, ...(info.role ? { role: info.role } : {}), ...(info.layer ? { layer: info.layer } : {}), ...(info.attrs ? { attrs: info.attrs } : {}) } : t;
  }

  /**
   * One tensor in chunks read straight from its data file, CRC-32C checked on the fly (a
   * mismatch is thrown after the last chunk) and byte-swapped per chunk for big-endian
   * bundles. Strings and partitioned variables are read whole first.
   */
  async readChunked(key: string, options: ReadOptions = {}): Promise<ChunkedTensor> {
    const e = this.find(key);
    const info = this.infoByKey.get(e.key);
    if (e.slices || e.dtype === 'string' || dtypeInfo(e.dtype).itemSize === 0) return chunkedOf(await this.read(key, options));
    const verify = options.verifyChecksums ?? this.verify;
    const src = await this.shard(e.shardId);
    const where = { file: src.name, entry: e.key, offset: e.offset };
    if (e.offset + e.size > src.size) {
      throw new CorruptDataError('tensor data runs past the end of its data file', { ...where, expected: `${e.size} bytes`, found: `${Math.max(0, src.size - e.offset)} left` });
    }
    const expectedSize = numElements(e.shape) * dtypeInfo(e.dtype).itemSize;
    if (expectedSize !== e.size) throw new CorruptDataError('tensor data size does not match its shape', { ...where, expected: `${expectedSize} bytes`, found: `${e.size}` });
    const big = this.header.endianness === 'big';
    const component = dtypeInfo(e.dtype).componentSize;
    const chunks = () => {
      const crc = new Crc32c();
      const raw = verified(sourceChunks(src, e.offset, e.size, { what: `tensor '${e.key}'`, chunkBytes: chunkBytesOf(options) }), (c) => { if (verify) crc.update(c); }, () => {
        const expected = unmaskCrc32c(e.crc32c);
        if (verify && crc.value() !== expected) {
          throw new ChecksumMismatchError('tensor data checksum mismatch', { ...where, expected: `crc32c 0x${expected.toString(16)}`, found: `0x${crc.value().toString(16)}` });
        }
      });
      if (!big) return raw;
      // The CRC is over the stored (big-endian) bytes: swap after it saw them. Chunks are 8 MiB
      // (a multiple of every component size), so no component straddles two.
      return (async function* () {
        for await (const c of raw) {
          swapBytesInPlace(c, component);
          yield c;
        }
      })();
    };
    const base = { key: e.key, name: e.key, dtype: e.dtype, shape: e.shape, byteLength: e.size };
    // Verified, unswapped bytes have the stored CRC: a checkpoint writer can reuse it. The
    // chunks are sourceChunks' three buffers (swapped in place): a writer may write behind.
    const marked = withWriteBehind(verify && !big ? withVerifiedCrc32c(chunks, e.crc32c) : chunks);
    return { ...base, ...(info ? { name: info.name, ...(info.role ? { role: info.role } : {}), ...(info.layer ? { layer: info.layer } : {}), ...(info.attrs ? { attrs: info.attrs } : {}) } : {}), chunks: marked };
  }

  /** Every listed tensor in data-file order (reads ahead up to 4 MiB or one tensor). */
  async *tensors(options: ReadOptions = {}): AsyncIterable<Tensor> {
    const pos = new Map<string, [number, number]>();
    for (const e of this.all) {
      if (e.slices) continue;
      const owner = e.sliceOf?.key ?? e.key;
      const p = pos.get(owner);
      if (!p || e.shardId < p[0] || (e.shardId === p[0] && e.offset < p[1])) pos.set(owner, [e.shardId, e.offset]);
    }
    const order = this.infos.map((i) => i.key).sort((a, b) => {
      const pa = pos.get(a) ?? [0, 0];
      const pb = pos.get(b) ?? [0, 0];
      return pa[0] - pb[0] || pa[1] - pb[1];
    });
    // Read ahead while less than READ_AHEAD_BYTES are queued (always at least one), so that
    // the next ranged reads run in the I/O threads while this thread checks CRCs.
    const sizeOf = new Map(this.infos.map((i) => [i.key, i.byteLength]));
    const queue: { promise: Promise<Tensor>; bytes: number }[] = [];
    let queued = 0;
    let launched = 0;
    const fill = (): void => {
      while (launched < order.length && (queue.length === 0 || queued < READ_AHEAD_BYTES)) {
        const key = order[launched++]!;
        const promise = this.read(key, options);
        // Keep a rejected read-ahead from being reported as unhandled before we reach it.
        promise.catch(() => undefined);
        const bytes = sizeOf.get(key) ?? 0;
        queue.push({ promise, bytes });
        queued += bytes;
      }
    };
    fill();
    while (queue.length > 0) {
      const head = queue.shift()!;
      queued -= head.bytes;
      const current = await head.promise;
      fill();
      yield current;
    }
  }

  private shard(id: number): Promise<ByteSource> {
    let p = this.shards.get(id);
    if (!p) {
      p = this.openShard(id, this.header.numShards);
      this.shards.set(id, p);
    }
    return p;
  }

  /** Read one stored entry (not a partitioned full tensor). */
  private async readEntry(e: CheckpointEntry, verify: boolean): Promise<Tensor> {
    const src = await this.shard(e.shardId);
    const what = `tensor '${e.key}'`;
    if (e.offset + e.size > src.size) {
      throw new CorruptDataError('tensor data runs past the end of its data file', { file: src.name, entry: e.key, offset: e.offset, expected: `${e.size} bytes`, found: `${Math.max(0, src.size - e.offset)} left` });
    }
    const bytes = await src.read(e.offset, e.size, what);
    const where = { file: src.name, entry: e.key, offset: e.offset };
    const big = this.header.endianness === 'big';
    const n = numElements(e.shape);
    const base = { key: e.key, name: e.key, dtype: e.dtype, shape: e.shape };
    if (e.dtype === 'string') {
      const strings = decodeStringTensor(bytes, n, { ...where, bigEndian: big, verify, expectedCrc: e.crc32c });
      return makeStringTensor(e.key, e.shape, strings);
    }
    if (e.dtype === 'variant') {
      // TF refuses to byte-swap DT_VARIANT too (tensor_bundle.cc); its checksums are in host order.
      if (big) throw new UnsupportedDtypeError('cannot byte-swap a DT_VARIANT tensor of a big-endian bundle', where);
      const elements = decodeVariantTensor(bytes, n, { ...where, verify, expectedCrc: e.crc32c });
      return { ...base, byteLength: elements.reduce((s, x) => s + x.byteLength, 0), data: new Uint8Array(0), strings: elements };
    }
    if (verify) {
      const actual = crc32c(bytes);
      const expected = unmaskCrc32c(e.crc32c);
      if (actual !== expected) {
        throw new ChecksumMismatchError('tensor data checksum mismatch', { ...where, expected: `crc32c 0x${expected.toString(16)}`, found: `0x${actual.toString(16)}` });
      }
    }
    const info = dtypeInfo(e.dtype);
    if (big) swapBytesInPlace(bytes, info.componentSize);
    return { ...base, byteLength: bytes.byteLength, data: bytes };
  }

  /** Build a partitioned tensor from its slices (the full tensor's bytes are allocated once). */
  private async assemble(full: CheckpointEntry, verify: boolean): Promise<Tensor> {
    const where = { file: this.source, entry: full.key };
    const info = dtypeInfo(full.dtype);
    const n = numElements(full.shape);
    const slices = this.all.filter((s) => s.sliceOf?.key === full.key);
    // Slices must cover the tensor: refuse shapes bigger than the stored slices (no allocation from a bare shape).
    const covered = slices.reduce((s, x) => s + numElements(x.shape), 0);
    if (covered < n) throw new CorruptDataError('slices do not cover the partitioned tensor', { ...where, expected: `${n} elements`, found: `${covered}` });
    if (info.itemSize === 0 && full.dtype !== 'string') throw new UnsupportedDtypeError(`cannot assemble a partitioned ${full.dtype} tensor`, where);
    // Every slice must lie inside its data file before the full tensor is allocated.
    for (const s of slices) {
      const src = await this.shard(s.shardId);
      if (s.offset + s.size > src.size) {
        throw new CorruptDataError('slice data runs past the end of its data file', { file: src.name, entry: s.key, offset: s.offset, expected: `${s.size} bytes`, found: `${Math.max(0, src.size - s.offset)} left` });
      }
    }
    const data = new Uint8Array(info.itemSize * n);
    const strings: Uint8Array[] | undefined = full.dtype === 'string' ? new Array<Uint8Array>(n).fill(new Uint8Array(0)) : undefined;
    for (const s of slices) {
      const { start, length } = resolveExtents(full.shape, s.sliceOf!.extents, where);
      if (length.reduce((a, b) => a * b, 1) !== numElements(s.shape) || s.shape.length !== full.shape.length) {
        throw new CorruptDataError('slice entry shape does not match its extents', { ...where, expected: `[${length.join(', ')}]`, found: `[${s.shape.join(', ')}]` });
      }
      const t = await this.readEntry(s, verify);
      if (strings) {
        const src = t.strings!;
        forEachRun(full.shape, start, length, (dst, from, count) => {
          for (let i = 0; i < count; i++) strings[dst + i] = src[from + i]!;
        });
      } else {
        const w = info.itemSize;
        forEachRun(full.shape, start, length, (dst, from, count) => data.set(t.data.subarray(from * w, (from + count) * w), dst * w));
      }
    }
    if (strings) return makeStringTensor(full.key, full.shape, strings);
    return { key: full.key, name: full.key, dtype: full.dtype, shape: full.shape, byteLength: data.byteLength, data };
  }

  /** Close every data shard opened so far. */
  async close(): Promise<void> {
    for (const p of this.shards.values()) {
      const s = await p.catch(() => undefined);
      await s?.close?.();
    }
    this.shards.clear();
  }
}

