/**
 * BundleHeaderProto and BundleEntryProto (tensorflow/core/protobuf/tensor_bundle.proto),
 * TensorShapeProto (framework/tensor_shape.proto), TensorSliceProto (framework/tensor_slice.proto),
 * VersionDef (framework/versions.proto). Encoders emit fields in ascending number order and
 * omit proto3 defaults, as TF's C++ serialiser does (FORMATS.md §0.1, §2.3, §2.4).
 */
import { CorruptDataError, dtypeFromTfEnum, dtypeInfo, UnsupportedDtypeError, type DTypeName } from '@tfweights/core';
import { decoding, longToNumber, newWriter, Reader, safeInt64, type Where, type Writer } from './proto-wire.js';

export type Endianness = 'little' | 'big';

export interface VersionDef {
  producer: number;
  minConsumer: number;
  badConsumers: number[];
}

export interface BundleHeader {
  numShards: number;
  endianness: Endianness;
  version: VersionDef;
}

/** One dimension range of a slice; `length` undefined = the whole dimension. */
export interface SliceExtent {
  start: number;
  length?: number;
}

export interface BundleEntry {
  dtype: DTypeName;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked CRC-32C as stored. */
  crc32c: number;
  /** Present for the full-tensor entry of a partitioned variable. */
  slices?: SliceExtent[][];
}

/** Bundle format constants (tensor_bundle.h): kTensorBundleVersion = 1, min consumer 0. */
export const BUNDLE_VERSION = 1;

// ---------- decoding ----------

function decodeVersion(r: Reader, end: number, where: Where): VersionDef {
  const v: VersionDef = { producer: 0, minConsumer: 0, badConsumers: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8: v.producer = r.int32(); break;
      case 16: v.minConsumer = r.int32(); break;
      case 24: v.badConsumers.push(r.int32()); break;
      case 26: {
        const e = r.uint32() + r.pos;
        while (r.pos < e) v.badConsumers.push(r.int32());
        break;
      }
      default: r.skipType(tag & 7);
    }
  }
  void where;
  return v;
}

/** Decode and check the header (key ""). */
export function decodeHeader(bytes: Uint8Array, where: Where): BundleHeader {
  const h = decoding('bundle header', where, () => {
    const r = Reader.create(bytes);
    const out: BundleHeader = { numShards: 0, endianness: 'little', version: { producer: 0, minConsumer: 0, badConsumers: [] } };
    while (r.pos < r.len) {
      const tag = r.uint32();
      switch (tag) {
        case 8: out.numShards = r.int32(); break;
        case 16: {
          const e = r.int32();
          if (e !== 0 && e !== 1) throw new CorruptDataError('unknown endianness in bundle header', { ...where, found: String(e) });
          out.endianness = e === 1 ? 'big' : 'little';
          break;
        }
        case 26: {
          const len = r.uint32();
          out.version = decodeVersion(r, checkedEnd(r, len, where), where);
          break;
        }
        default: r.skipType(tag & 7);
      }
    }
    return out;
  });
  // Version check as in tensor_bundle.cc (CheckVersions with kTensorBundleVersion).
  const v = h.version;
  if (v.producer < 0 || v.minConsumer > BUNDLE_VERSION || v.badConsumers.includes(BUNDLE_VERSION)) {
    throw new CorruptDataError('bundle version is not readable by format version 1', {
      ...where, found: `producer ${v.producer}, min_consumer ${v.minConsumer}, bad_consumers [${v.badConsumers.join(', ')}]`,
    });
  }
  if (h.numShards < 1 || h.numShards > 99999) {
    throw new CorruptDataError('invalid number of shards in bundle header', { ...where, expected: '1 to 99999', found: String(h.numShards) });
  }
  return h;
}

function checkedEnd(r: Reader, len: number, where: Where): number {
  const end = r.pos + len;
  if (end > r.len) throw new CorruptDataError('nested message runs past its parent', { ...where, offset: r.pos });
  return end;
}

function decodeShape(r: Reader, end: number, where: Where): number[] {
  const dims: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 18) {
      const dEnd = checkedEnd(r, r.uint32(), where);
      let size = 0;
      while (r.pos < dEnd) {
        const t = r.uint32();
        if (t === 8) size = longToNumber(r.int64() as never, 'dimension size', where);
        else r.skipType(t & 7);
      }
      if (size < 0) throw new CorruptDataError('negative dimension in tensor shape', { ...where, found: String(size) });
      dims.push(size);
    } else if (tag === 24) {
      if (r.bool()) throw new CorruptDataError('tensor shape has unknown rank', where);
    } else r.skipType(tag & 7);
  }
  return dims;
}

function decodeSlice(r: Reader, end: number, where: Where): SliceExtent[] {
  const extents: SliceExtent[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const eEnd = checkedEnd(r, r.uint32(), where);
      const ext: SliceExtent = { start: 0 };
      while (r.pos < eEnd) {
        const t = r.uint32();
        if (t === 8) ext.start = safeInt64(r, 'slice start', where);
        else if (t === 16) ext.length = safeInt64(r, 'slice length', where);
        else r.skipType(t & 7);
      }
      if (ext.start < 0 || (ext.length !== undefined && ext.length < 0)) {
        throw new CorruptDataError('negative slice extent', { ...where, found: `start ${ext.start}, length ${ext.length}` });
      }
      extents.push(ext);
    } else r.skipType(tag & 7);
  }
  return extents;
}

/** Decode one tensor entry. */
export function decodeEntry(bytes: Uint8Array, where: Where): BundleEntry {
  return decoding('bundle entry', where, () => {
    const r = Reader.create(bytes);
    let dtypeEnum = 0;
    const e: BundleEntry = { dtype: 'float32', shape: [], shardId: 0, offset: 0, size: 0, crc32c: 0 };
    while (r.pos < r.len) {
      const tag = r.uint32();
      switch (tag) {
        case 8: dtypeEnum = r.int32(); break;
        case 18: e.shape = decodeShape(r, checkedEnd(r, r.uint32(), where), where); break;
        case 24: e.shardId = r.int32(); break;
        case 32: e.offset = safeInt64(r, 'offset', where); break;
        case 40: e.size = safeInt64(r, 'size', where); break;
        case 53: e.crc32c = r.fixed32(); break;
        case 58: (e.slices ??= []).push(decodeSlice(r, checkedEnd(r, r.uint32(), where), where)); break;
        default: r.skipType(tag & 7);
      }
    }
    if (dtypeEnum === 0) throw new CorruptDataError('bundle entry has no dtype (DT_INVALID)', where);
    try {
      e.dtype = dtypeFromTfEnum(dtypeEnum, where.file).name;
    } catch {
      throw new UnsupportedDtypeError('unknown TensorFlow DataType in bundle entry', { ...where, found: String(dtypeEnum) });
    }
    if (e.offset < 0 || e.size < 0 || e.shardId < 0) {
      throw new CorruptDataError('negative offset, size or shard in bundle entry', { ...where, found: `shard ${e.shardId}, offset ${e.offset}, size ${e.size}` });
    }
    return e;
  });
}

// ---------- encoding ----------

/** Header bytes as TF writes them (`08 01 1a 02 08 01` for one little-endian shard). */
export function encodeHeader(h: BundleHeader): Uint8Array {
  const w = newWriter();
  if (h.numShards !== 0) w.uint32(8).int32(h.numShards);
  if (h.endianness === 'big') w.uint32(16).int32(1);
  w.uint32(26).fork();
  if (h.version.producer !== 0) w.uint32(8).int32(h.version.producer);
  if (h.version.minConsumer !== 0) w.uint32(16).int32(h.version.minConsumer);
  if (h.version.badConsumers.length > 0) {
    w.uint32(26).fork();
    for (const b of h.version.badConsumers) w.int32(b);
    w.ldelim();
  }
  w.ldelim();
  return w.finish();
}

function encodeShape(w: Writer, shape: readonly number[]): void {
  w.uint32(18).fork();
  for (const d of shape) {
    w.uint32(18).fork();
    if (d !== 0) w.uint32(8).int64(d);
    w.ldelim();
  }
  w.ldelim();
}

/** Entry bytes as TF writes them: dtype, shape (always), shard, offset, size, crc, slices. */
export function encodeEntry(e: BundleEntry): Uint8Array {
  const w = newWriter();
  w.uint32(8).int32(dtypeInfo(e.dtype).tfEnum);
  encodeShape(w, e.shape);
  if (e.shardId !== 0) w.uint32(24).int32(e.shardId);
  if (e.offset !== 0) w.uint32(32).int64(e.offset);
  if (e.size !== 0) w.uint32(40).int64(e.size);
  if (e.crc32c !== 0) w.uint32(53).fixed32(e.crc32c);
  for (const slice of e.slices ?? []) {
    w.uint32(58).fork();
    for (const ext of slice) {
      w.uint32(10).fork();
      // A full dimension is an empty Extent; a partial one sets both (oneof: length even if 0).
      if (ext.start !== 0) w.uint32(8).int64(ext.start);
      if (ext.length !== undefined) w.uint32(16).int64(ext.length);
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}
