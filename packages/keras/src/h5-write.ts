/**
 * Writing HDF5 through h5wasm the way h5py lays out Keras files: superblock 0 (libver
 * earliest..v1.10), old-style groups, contiguous uncompressed datasets (chunked above 32 MiB),
 * fixed-length string lists. Dataset bytes go through the wasm heap in bounded hyperslabs.
 */
import { checkLength, checkTensor, dtypeInfo, InvalidArgumentError, IoError, isChunked, isTfwError, mapElements, materialize, numElements, toFloat32, UnsupportedDtypeError, type ChunkedTensor, type Tensor } from '@tfweights/core';
import { condenseH5Error } from './h5-file.js';
import { H5T, type H5Api, type H5File } from './h5-api.js';
import { hyperslabs } from './hyperslab.js';
import { patchToOpaque16, type EmscriptenFs } from './opaque16.js';

/** Largest dataset written contiguously, copied into the wasm heap at once. */
export const WRITE_CHUNK_BYTES = 32 * 1024 * 1024;
/**
 * Slab (and HDF5 chunk) size of larger datasets. libhdf5 holds a second chunk-sized buffer
 * while writing a chunk, and the wasm heap never shrinks, so smaller slabs keep the writer's
 * own memory small next to the tensor being written.
 */
export const WRITE_SLAB_BYTES = 8 * 1024 * 1024;
/** HDF5 object header messages must stay under 64 KiB; Keras splits name lists above this (hdf5_format.py). */
export const HDF5_OBJECT_HEADER_LIMIT = 64512;

interface StoredType { type: number; size: number; signed: boolean }

const STORED: Record<string, StoredType> = {
  float32: { type: H5T.FLOAT, size: 4, signed: true },
  float64: { type: H5T.FLOAT, size: 8, signed: true },
  int8: { type: H5T.INTEGER, size: 1, signed: true },
  int16: { type: H5T.INTEGER, size: 2, signed: true },
  int32: { type: H5T.INTEGER, size: 4, signed: true },
  int64: { type: H5T.INTEGER, size: 8, signed: true },
  uint8: { type: H5T.INTEGER, size: 1, signed: false },
  uint16: { type: H5T.INTEGER, size: 2, signed: false },
  uint32: { type: H5T.INTEGER, size: 4, signed: false },
  uint64: { type: H5T.INTEGER, size: 8, signed: false },
  // h5wasm cannot create enum types: bool is stored as int8 0/1 (Keras casts on load).
  bool: { type: H5T.INTEGER, size: 1, signed: true },
};

/** How a bfloat16 tensor is stored: Keras 3's opaque 2-byte type, or exact float32. */
export type Bfloat16Storage = 'opaque' | 'float32';

export interface DatasetOptions {
  /**
   * `opaque` (Keras 3 `.weights.h5` / `.keras`): opaque 2-byte data with attribute
   * `dtype="bfloat16"`, as Keras writes and reads it. `float32` (legacy `.h5`, default): exact
   * float32 with the same attribute, which Keras's legacy loader casts on assignment.
   */
  bfloat16?: Bfloat16Storage;
}

/**
 * An HDF5 object path we can write: segments non-empty, not `.` or `..` (libhdf5 reads them
 * as the group itself / nothing), without NUL (libhdf5 would cut the name there and the
 * tensor would silently land elsewhere).
 */
export function checkH5Path(path: string, file: string, entry?: string): void {
  const segments = path.replace(/^\//, '').split('/');
  const bad = segments.find((s) => s === '' || s === '.' || s === '..' || s.includes('\0'));
  if (bad !== undefined) {
    throw new InvalidArgumentError(`cannot be an HDF5 path: ${bad === '' ? 'empty segment' : bad.includes('\0') ? 'NUL in a name' : `'${bad}' segment`}`, {
      file, entry: (entry ?? path).slice(0, 200), found: JSON.stringify(path).slice(0, 200),
    });
  }
}

/** libhdf5's sec2 driver quotes strerror() (errno itself is Emscripten's numbering, not the host's). */
const STRERROR: [RegExp, string][] = [
  [/no space left/i, 'ENOSPC: no space left on device'], [/permission denied/i, 'EACCES: permission denied'],
  [/read-only file system/i, 'EROFS: read-only file system'], [/quota/i, 'EDQUOT: disk quota exceeded'],
  [/file too large/i, 'EFBIG: file too large'], [/input\/output error|I\/O error/i, 'EIO: input/output error'],
];

/** A libhdf5 write failure as a typed one-line error (typed errors pass through). */
export function h5WriteError(cause: unknown, file: string, entry: string, what: string): Error {
  if (isTfwError(cause)) return cause;
  const msg = String((cause as Error | undefined)?.message ?? cause);
  const said = /error message = '([^']*)'/.exec(msg)?.[1] ?? '';
  const known = STRERROR.find(([re]) => re.test(said))?.[1];
  return new IoError(`${what}: ${known ?? condenseH5Error(cause)}`, { file, entry, cause });
}

export class H5Writer {
  /** Names of the fixed-length string attributes written so far. */
  readonly fixedStringAttrs: string[] = [];
  /** The same attributes by the object header address of the group holding them. */
  readonly fixedStringObjects = new Map<number, Set<string>>();
  /** Object header addresses of datasets whose type becomes opaque when the file is closed. */
  private readonly opaque16: number[] = [];
  private constructor(readonly api: H5Api, readonly file: H5File, readonly name: string, private readonly path: string) {}

  static create(api: H5Api, path: string, name = path): H5Writer {
    try {
      return new H5Writer(api, new api.h5.File(path, 'w', { libver: ['earliest', 'v110'] }), name, path);
    } catch (cause) {
      throw h5WriteError(cause, name, '/', 'cannot create HDF5 file');
    }
  }

  /**
   * Give up on the file (an error is being reported): close it if libhdf5 still can, else cut
   * it to zero bytes, so a file libhdf5 keeps open after a failed flush (full disk) does not
   * hold on to the disk space once the caller removes it.
   */
  abandon(): void {
    try {
      this.file.close();
    } catch {
      try {
        (this.api.module.FS as unknown as { truncate(p: string, n: number): void }).truncate(this.path, 0);
      } catch {
        // Nothing more to do: the caller removes the file.
      }
    }
  }

  /** Close the file, then turn the bfloat16 datasets' stand-in integer type into opaque. */
  close(): void {
    // The last metadata and raw data reach the disk here: a full disk fails this call.
    this.io('/', 'cannot finish the HDF5 file', () => this.file.close());
    if (this.opaque16.length === 0) return;
    const fs = (this.api.module as unknown as { FS?: EmscriptenFs }).FS;
    if (!fs) throw new IoError('this h5wasm build exports no FS: cannot finish bfloat16 datasets', { file: this.name });
    patchToOpaque16(fs, this.path, this.opaque16, this.name);
  }

  /** Create a group and any missing parents. */
  group(path: string): void {
    let cur = '';
    for (const part of path.split('/').filter(Boolean)) {
      cur += `/${part}`;
      if (this.api.module.get_type(this.file.file_id, cur) !== this.api.module.H5O_TYPE_GROUP) this.file.create_group(cur);
    }
  }

  private obj(path: string): { create_attribute: H5File['create_attribute'] } {
    return (path === '/' || path === '' ? this.file : this.file.get(path.startsWith('/') ? path : `/${path}`)) as H5File;
  }

  /** The object header address of `path` (an HDF5 object reference, hobj_ref_t, is that address). */
  objectAddress(path: string): number {
    const abs = path.startsWith('/') ? path : `/${path}`;
    const ref = this.api.module.create_object_reference(this.file.file_id, abs) as unknown as ArrayLike<number>;
    let addr = 0;
    for (let i = Math.min(ref.length, 8) - 1; i >= 0; i--) addr = addr * 256 + (ref[i] ?? 0);
    if (!addr) throw new IoError('libhdf5 gave no address for the object', { file: this.name, entry: abs });
    return addr;
  }

  private fixedString(path: string, attr: string): void {
    this.fixedStringAttrs.push(attr);
    const addr = this.objectAddress(path === '' ? '/' : path);
    let set = this.fixedStringObjects.get(addr);
    if (!set) this.fixedStringObjects.set(addr, (set = new Set()));
    set.add(attr);
  }

  /** A variable-length string attribute: ASCII (as h5py writes `bytes`) or UTF-8. */
  vlenString(path: string, name: string, value: string, utf8 = false): void {
    this.obj(path).create_attribute(name, value, null, utf8 ? 'S' : 'A');
  }

  /**
   * A list of names as tf-keras `save_attributes_to_hdf5_group` writes it: fixed-length
   * strings of the longest name's byte length, an empty float64 array for `[]`, split into
   * `<name>0`, `<name>1`, … when one attribute would exceed {@link HDF5_OBJECT_HEADER_LIMIT}.
   */
  nameList(path: string, name: string, names: readonly string[]): void {
    const obj = this.obj(path);
    if (names.length === 0) {
      obj.create_attribute(name, new Float64Array(0), [0], '<d');
      return;
    }
    const enc = new TextEncoder();
    const width = Math.max(1, ...names.map((n) => enc.encode(n).byteLength));
    if (width > HDF5_OBJECT_HEADER_LIMIT) throw new InvalidArgumentError(`a name in '${name}' is longer than ${HDF5_OBJECT_HEADER_LIMIT} bytes`, { file: this.name });
    let parts = 1;
    while (Math.ceil(names.length / parts) * width > HDF5_OBJECT_HEADER_LIMIT) parts++;
    if (parts === 1) {
      obj.create_attribute(name, [...names], [names.length], `A${width}`);
      this.fixedString(path, name);
      return;
    }
    // numpy.array_split: the first (n mod k) parts get one more element.
    const base = Math.floor(names.length / parts);
    const extra = names.length % parts;
    let at = 0;
    for (let i = 0; i < parts; i++) {
      const n = base + (i < extra ? 1 : 0);
      const chunk = names.slice(at, at + n);
      at += n;
      const w = Math.max(1, ...chunk.map((c) => enc.encode(c).byteLength));
      obj.create_attribute(`${name}${i}`, chunk, [chunk.length], `A${w}`);
      this.fixedString(path, `${name}${i}`);
    }
  }

  /**
   * A dataset holding the tensor: contiguous, or chunked in {@link WRITE_SLAB_BYTES} slabs above {@link WRITE_CHUNK_BYTES} (see
   * below). float16 (h5wasm cannot create 16-bit floats) is
   * stored as exact float32 tagged with attribute `dtype="float16"`; bfloat16 as opaque 2-byte
   * data or exact float32 (see {@link DatasetOptions}), tagged `dtype="bfloat16"` as Keras 3
   * tags it; complex and string tensors are refused.
   */
  dataset(path: string, tensor: Tensor, opts?: DatasetOptions): void;
  /**
   * The same from a chunked tensor: above {@link WRITE_CHUNK_BYTES} the chunks are copied into
   * one slab-sized buffer in the wasm heap and written slab by slab as they arrive, so the
   * tensor is never whole in memory (smaller ones are assembled first).
   */
  dataset(path: string, tensor: ChunkedTensor, opts?: DatasetOptions): Promise<void>;
  dataset(path: string, tensor: Tensor | ChunkedTensor, opts?: DatasetOptions): void | Promise<void>;
  dataset(path: string, tensor: Tensor | ChunkedTensor, opts: DatasetOptions = {}): void | Promise<void> {
    if (isChunked(tensor)) return this.chunkedDataset(path, tensor, opts).catch((cause: unknown) => { throw h5WriteError(cause, this.name, path, 'cannot write the dataset'); });
    this.io(path, 'cannot write the dataset', () => this.wholeDataset(path, tensor, opts));
  }

  /**
   * Run a libhdf5 write, turning its failure into a one-line typed error: ENOSPC / EACCES /
   * EROFS named as such (libhdf5's sec2 driver reports the errno in its error stack).
   */
  private io<T>(entry: string, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw h5WriteError(cause, this.name, entry, what);
    }
  }

  /** Stored type, dtype tag and the creation facts of a tensor's dataset (parents created). */
  private prepare(path: string, tensor: Pick<Tensor, 'key' | 'dtype' | 'shape'>, opts: DatasetOptions) {
    checkH5Path(path, this.name, tensor.key);
    const m = this.api.module;
    let stored = STORED[tensor.dtype];
    let tag: string | undefined;
    let widen = false;
    const opaque = tensor.dtype === 'bfloat16' && opts.bfloat16 === 'opaque';
    if (opaque) {
      // The raw bits under a stand-in 2-byte unsigned integer type, made opaque on close().
      stored = STORED.uint16;
      tag = 'bfloat16';
    } else if (tensor.dtype === 'float16' || tensor.dtype === 'bfloat16') {
      // Widened to float32 slab by slab, so a large tensor is never copied whole.
      widen = true;
      stored = STORED.float32;
      tag = tensor.dtype;
    }
    if (!stored) throw new UnsupportedDtypeError(`Keras HDF5 writer cannot store dtype ${tensor.dtype} (${dtypeInfo(tensor.dtype).kind})`, { file: this.name, entry: tensor.key });
    const abs = path.startsWith('/') ? path : `/${path}`;
    const parent = abs.slice(0, abs.lastIndexOf('/'));
    if (parent) this.group(parent);
    const meta = {
      ...stored, littleEndian: true, vlen: false, shape: tensor.shape.map(BigInt), maxshape: null, chunks: null,
      compression: 0, compression_opts: [], track_order: false, total_size: 0,
    };
    return { m, abs, stored, tag, widen, opaque, meta };
  }

  /** Record the dtype tag and opaque patch of a finished dataset. */
  private tagged(abs: string, tag: string | undefined, opaque: boolean): void {
    if (tag) this.vlenString(abs, 'dtype', tag, true);
    if (opaque) this.opaque16.push(this.objectAddress(abs));
  }

  /** Create a chunked dataset (one HDF5 chunk per slab) with no elements and grow it to its shape. */
  private emptyChunked(abs: string, shape: readonly number[], itemSize: number, meta: Record<string, unknown>): void {
    const m = this.api.module;
    // (A contiguous dataset would need the whole buffer at creation; failing that call leaves
    // the dataset open inside libhdf5, so the file is never finished.)
    const first = hyperslabs(shape, itemSize, WRITE_SLAB_BYTES).next().value!;
    const empty = { ...meta, shape: shape.map((d, i) => BigInt(i === 0 ? 0 : d)), maxshape: shape.map(BigInt), chunks: first.count.map(BigInt) };
    const status = m.create_dataset(this.file.file_id, abs, 0n, empty as never);
    if (status < 0 || m.get_type(this.file.file_id, abs) !== m.H5O_TYPE_DATASET) throw new IoError('libhdf5 did not create the dataset', { file: this.name, entry: abs });
    if (m.resize_dataset(this.file.file_id, abs, shape.map(BigInt) as never) < 0) throw new IoError('libhdf5 could not size the dataset', { file: this.name, entry: abs });
  }

  private writeSlab(abs: string, slab: { count: number[]; offset: number[] }, ptr: number): void {
    const m = this.api.module;
    const status = m.set_dataset_data(this.file.file_id, abs, slab.count.map(BigInt), slab.offset.map(BigInt), slab.count.map(() => 1n), BigInt(ptr));
    if (status < 0) throw new IoError('libhdf5 failed writing a slab', { file: this.name, entry: abs });
  }

  private async chunkedDataset(path: string, tensor: ChunkedTensor, opts: DatasetOptions): Promise<void> {
    // The tensor is not trusted: a shape larger than its bytes would size a sparse file of terabytes.
    const want = numElements(tensor.shape) * dtypeInfo(tensor.dtype).itemSize;
    if (!Number.isSafeInteger(want) || want !== tensor.byteLength) {
      throw new InvalidArgumentError('tensor data does not match its shape', { file: this.name, entry: tensor.key, expected: `${want} bytes for ${tensor.dtype} [${tensor.shape.join(', ')}]`, found: `${tensor.byteLength} bytes` });
    }
    const { abs, stored, tag, widen, opaque, meta } = this.prepare(path, tensor, opts);
    const total = widen ? tensor.byteLength * 2 : tensor.byteLength;
    if (total <= WRITE_CHUNK_BYTES || tensor.shape.length === 0) {
      this.wholeDataset(path, await materialize(tensor), opts);
      return;
    }
    const m = this.api.module;
    const widened = (c: AsyncIterable<Uint8Array>) => mapElements(c, 2, 4, (input, output) => {
      const f = toFloat32({ dtype: tensor.dtype, key: tensor.key, data: input });
      output.set(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
    });
    const chunks = widen ? widened(checkLength(tensor, tensor.chunks())) : checkLength(tensor, tensor.chunks());
    this.emptyChunked(abs, tensor.shape, stored.size, meta);
    const ptr = m._malloc(WRITE_SLAB_BYTES);
    try {
      const slabs = hyperslabs(tensor.shape, stored.size, WRITE_SLAB_BYTES);
      let slab = slabs.next();
      let filled = 0;
      for await (let c of chunks) {
        while (c.byteLength > 0 && !slab.done) {
          const take = Math.min(c.byteLength, slab.value.bytes - filled);
          // Read HEAPU8 each time: a growing wasm memory replaces the view.
          m.HEAPU8.set(c.subarray(0, take), ptr + filled);
          filled += take;
          c = c.subarray(take);
          if (filled === slab.value.bytes) {
            this.writeSlab(abs, slab.value, ptr);
            slab = slabs.next();
            filled = 0;
          }
        }
      }
      if (!slab.done) throw new IoError('tensor data ended before the dataset was filled', { file: this.name, entry: abs });
    } finally {
      m._free(ptr);
    }
    this.tagged(abs, tag, opaque);
  }

  private wholeDataset(path: string, tensor: Tensor, opts: DatasetOptions): void {
    // The tensor is not trusted: a shape that disagrees with its bytes would copy past them
    // out of the wasm heap, or size a sparse file of terabytes.
    checkTensor(tensor, this.name);
    const { m, abs, stored, widen, tag, opaque, meta } = this.prepare(path, tensor, opts);
    /** Stored bytes [at, at + bytes) of the dataset (float16/bfloat16 widened to float32 here). */
    const storedBytes = (at: number, bytes: number): Uint8Array => {
      if (!widen) return tensor.data.subarray(at, at + bytes);
      const f = toFloat32({ dtype: tensor.dtype, key: tensor.key, data: tensor.data.subarray(at / 2, (at + bytes) / 2) });
      return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
    };
    const total = widen ? tensor.data.byteLength * 2 : tensor.data.byteLength;
    const small = total <= WRITE_CHUNK_BYTES || tensor.shape.length === 0;
    if (small) {
      const data = storedBytes(0, total);
      const ptr = m._malloc(Math.max(1, data.byteLength));
      try {
        m.HEAPU8.set(data, ptr);
        m.create_dataset(this.file.file_id, abs, BigInt(ptr), meta as never);
      } finally {
        m._free(ptr);
      }
    } else {
      // Too large to pass through the heap at once: create it chunked with no elements, then
      // fill it slab by slab.
      this.emptyChunked(abs, tensor.shape, stored.size, meta);
      const ptr = m._malloc(WRITE_SLAB_BYTES);
      try {
        for (const slab of hyperslabs(tensor.shape, stored.size, WRITE_SLAB_BYTES)) {
          m.HEAPU8.set(storedBytes(slab.at, slab.bytes), ptr);
          this.writeSlab(abs, slab, ptr);
        }
      } finally {
        m._free(ptr);
      }
    }
    this.tagged(abs, tag, opaque);
  }
}
