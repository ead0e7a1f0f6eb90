/**
 * A read-only view of one HDF5 file through h5wasm: groups, string attributes as Keras
 * writes them, dataset facts, and raw little-endian dataset bytes read in bounded
 * hyperslabs so a large dataset never passes whole through the wasm heap.
 */
import { CorruptDataError, IoError, type DTypeName } from '@tfweights/core';
import { hyperslabs } from './hyperslab.js';
import { H5T, type H5Api, type H5File, type H5Metadata } from './h5-api.js';

/** Largest hyperslab copied through the wasm heap at once. */
export const READ_CHUNK_BYTES = 32 * 1024 * 1024;

/** Everything needed to read one dataset. */
export interface H5DatasetInfo {
  readonly path: string;
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  /** Bytes per stored element (may differ from the dtype's when a tag narrows float32). */
  readonly storedItemSize: number;
  /** Set when the stored float32 values are to be narrowed to this 16-bit dtype. */
  readonly narrowTo?: 'float16' | 'bfloat16';
  /** Raw `dtype` attribute Keras 3 puts on bfloat16 datasets. */
  readonly dtypeTag?: string;
}

export type AttrValue = string | string[] | number[] | bigint | number | undefined;

export class H5Reader {
  private constructor(readonly api: H5Api, readonly file: H5File, readonly name: string) {}

  /** Open `path` (a path h5wasm's file system can see) read-only. */
  static open(api: H5Api, path: string, name = path): H5Reader {
    let file: H5File;
    try {
      file = new api.h5.File(path, 'r');
    } catch (cause) {
      throw new CorruptDataError(`libhdf5 cannot open this HDF5 file: ${(cause as Error).message ?? String(cause)}`, { file: name, cause });
    }
    if (!file.file_id || file.file_id < 0n) throw new CorruptDataError('libhdf5 cannot open this HDF5 file (damaged or truncated?)', { file: name });
    return new H5Reader(api, file, name);
  }

  close(): void {
    this.file.close();
  }

  private abs(path: string): string {
    return path.startsWith('/') ? path : `/${path}`;
  }

  /** 'group', 'dataset' or undefined (absent or another kind of object). */
  kind(path: string): 'group' | 'dataset' | undefined {
    const m = this.api.module;
    let t: number;
    try {
      t = m.get_type(this.file.file_id, this.abs(path));
    } catch {
      return undefined;
    }
    if (t === m.H5O_TYPE_GROUP) return 'group';
    if (t === m.H5O_TYPE_DATASET) return 'dataset';
    return undefined;
  }

  /** Member names of a group, as libhdf5 lists them (by name). */
  children(path: string): string[] {
    return this.api.module.get_names(this.file.file_id, this.abs(path), false);
  }

  /** Every object path below `path` (recursive), without the leading slash. */
  descendants(path = '/'): string[] {
    const base = path === '/' ? '' : `${path.replace(/^\//, '')}/`;
    return this.api.module.get_names(this.file.file_id, this.abs(path), true).map((n) => base + n);
  }

  attrNames(path: string): string[] {
    return this.api.module.get_attribute_names(this.file.file_id, this.abs(path));
  }

  hasAttr(path: string, name: string): boolean {
    return this.attrNames(path).includes(name);
  }

  /** An attribute's value (strings decoded, numeric arrays as numbers), or undefined. */
  attr(path: string, name: string): AttrValue {
    if (!this.hasAttr(path, name)) return undefined;
    const group = this.abs(path);
    let value: unknown;
    try {
      const obj = (group === '/' ? this.file : this.file.get(group)) as { get_attribute?: (n: string, json: false) => unknown } | null;
      value = obj?.get_attribute?.(name, false);
    } catch (cause) {
      throw new CorruptDataError(`cannot read attribute '${name}'`, { file: this.name, entry: group, cause });
    }
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
    if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : String(v))) as string[];
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, Number);
    return String(value);
  }

  /** A string attribute (scalar string or 1-element array), or undefined. */
  stringAttr(path: string, name: string): string | undefined {
    const v = this.attr(path, name);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
    throw new CorruptDataError(`attribute '${name}' is not a string`, { file: this.name, entry: this.abs(path), found: JSON.stringify(v).slice(0, 80) });
  }

  /**
   * A list of names stored as Keras stores them: fixed- or variable-length strings, an empty
   * float64 array for `[]`, or split into `<name>0`, `<name>1`, … when too large for one
   * header message (tf-keras `hdf5_format.load_attributes_from_hdf5_group`).
   */
  nameList(path: string, name: string): string[] | undefined {
    if (this.hasAttr(path, name)) return this.toNames(path, name, this.attr(path, name));
    if (!this.hasAttr(path, `${name}0`)) return undefined;
    const out: string[] = [];
    for (let i = 0; this.hasAttr(path, `${name}${i}`); i++) out.push(...this.toNames(path, `${name}${i}`, this.attr(path, `${name}${i}`)));
    return out;
  }

  private toNames(path: string, name: string, v: AttrValue): string[] {
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    if (Array.isArray(v) && v.length === 0) return [];
    throw new CorruptDataError(`attribute '${name}' is not a list of names`, { file: this.name, entry: this.abs(path), found: JSON.stringify(v).slice(0, 80) });
  }

  private metadata(path: string): H5Metadata {
    try {
      return this.api.module.get_dataset_metadata(this.file.file_id, this.abs(path));
    } catch (cause) {
      throw new CorruptDataError('cannot read dataset header', { file: this.name, entry: path, cause });
    }
  }

  /** Dtype and shape of a dataset, mapped to our dtype names. */
  datasetInfo(path: string): H5DatasetInfo {
    const meta = this.metadata(path);
    const tag = this.hasAttr(path, 'dtype') ? this.stringAttrSafe(path, 'dtype') : undefined;
    const shape = meta.shape ?? [];
    const base = { path, shape, storedItemSize: meta.size, ...(tag ? { dtypeTag: tag } : {}) };
    const dtype = this.dtypeOf(meta, path);
    // Keras 3 tags bfloat16 datasets with attribute dtype="bfloat16" (saving_lib.py H5Entry);
    // our writer stores float16/bfloat16 as exact float32 with the same kind of tag.
    if ((tag === 'bfloat16' || tag === 'float16') && dtype === 'float32') return { ...base, dtype: tag, narrowTo: tag };
    if (tag === 'bfloat16' && meta.size === 2) return { ...base, dtype: 'bfloat16' };
    return { ...base, dtype };
  }

  private stringAttrSafe(path: string, name: string): string | undefined {
    try {
      return this.stringAttr(path, name);
    } catch {
      return undefined;
    }
  }

  private dtypeOf(meta: H5Metadata, path: string): DTypeName {
    const unsupported = (what: string): never => {
      throw new CorruptDataError(`dataset has an HDF5 type this reader does not decode (${what})`, { file: this.name, entry: path });
    };
    switch (meta.type) {
      case H5T.INTEGER:
        return intName(meta.size, meta.signed) ?? unsupported(`integer of ${meta.size} bytes`);
      case H5T.FLOAT:
        if (meta.size === 2) return 'float16';
        if (meta.size === 4) return 'float32';
        if (meta.size === 8) return 'float64';
        return unsupported(`float of ${meta.size} bytes`);
      case H5T.ENUM: {
        const names = Object.keys(meta.enum_type?.members ?? {}).sort().join(',');
        // h5py stores NumPy bool as enum(int8) {FALSE 0, TRUE 1} (FORMATS.md §5.4).
        if (names === 'FALSE,TRUE' && meta.size === 1) return 'bool';
        return intName(meta.size, meta.signed) ?? unsupported('enum');
      }
      case H5T.OPAQUE:
        if (meta.size === 2) return 'bfloat16';
        return unsupported(`opaque of ${meta.size} bytes`);
      case H5T.COMPOUND: {
        const m = meta.compound_type?.members ?? [];
        if (m.length === 2 && m[0]?.type === H5T.FLOAT && m[1]?.type === H5T.FLOAT && m[0].size === m[1].size) {
          if (m[0].size === 4) return 'complex64';
          if (m[0].size === 8) return 'complex128';
        }
        return unsupported('compound');
      }
      case H5T.STRING:
        return 'string';
      default:
        return unsupported(`type class ${meta.type}`);
    }
  }

  /** String dataset elements (UTF-8 bytes). */
  readStrings(path: string): Uint8Array[] {
    const ds = this.file.get(this.abs(path)) as { value: unknown } | null;
    const v = ds?.value;
    const list = Array.isArray(v) ? v : [v];
    const enc = new TextEncoder();
    return list.map((s) => enc.encode(String(s)));
  }

  /**
   * The dataset's bytes, little-endian, C order. Read in hyperslabs of at most
   * {@link READ_CHUNK_BYTES}, each copied out of the wasm heap at once.
   */
  readRaw(info: H5DatasetInfo): Uint8Array {
    const out = new Uint8Array(this.totalBytes(info));
    for (const { at, bytes } of this.rawChunks(info)) out.set(bytes, at);
    return out;
  }

  private totalBytes(info: H5DatasetInfo): number {
    let total = info.storedItemSize;
    for (const d of info.shape) total *= d;
    if (!Number.isSafeInteger(total)) throw new CorruptDataError('dataset too large', { file: this.name, entry: info.path });
    return total;
  }

  /**
   * The same bytes as {@link readRaw}, hyperslab by hyperslab (at most {@link READ_CHUNK_BYTES}
   * each), as views of one reused buffer: valid until the next one is taken.
   */
  *rawChunks(info: H5DatasetInfo): Iterable<{ at: number; bytes: Uint8Array }> {
    const m = this.api.module;
    const shape = info.shape;
    const item = info.storedItemSize;
    const total = this.totalBytes(info);
    if (total === 0) return;
    const whole = total <= READ_CHUNK_BYTES || shape.length === 0;
    const buf = new Uint8Array(whole ? total : READ_CHUNK_BYTES);
    const readInto = (count: number[] | null, offset: number[] | null, nbytes: number): Uint8Array => {
      const ptr = m._malloc(nbytes);
      if (!ptr) throw new IoError(`cannot allocate ${nbytes} bytes in the wasm heap`, { file: this.name, entry: info.path });
      try {
        const status = m.get_dataset_data(
          this.file.file_id, this.abs(info.path),
          count ? count.map(BigInt) : null, offset ? offset.map(BigInt) : null, count ? count.map(() => 1n) : null, BigInt(ptr),
        );
        if (status < 0) throw new CorruptDataError('libhdf5 could not read the dataset (truncated file?)', { file: this.name, entry: info.path });
        buf.set(m.HEAPU8.subarray(ptr, ptr + nbytes), 0);
        return buf.subarray(0, nbytes);
      } catch (cause) {
        if (cause instanceof CorruptDataError) throw cause;
        throw new CorruptDataError(`libhdf5 could not read the dataset: ${(cause as Error).message ?? String(cause)}`, { file: this.name, entry: info.path, cause });
      } finally {
        m._free(ptr);
      }
    };
    if (whole) {
      yield { at: 0, bytes: readInto(null, null, total) };
      return;
    }
    for (const slab of hyperslabs(shape, item, READ_CHUNK_BYTES)) yield { at: slab.at, bytes: readInto(slab.count, slab.offset, slab.bytes) };
  }
}

function intName(size: number, signed: boolean): DTypeName | undefined {
  switch (size) {
    case 1: return signed ? 'int8' : 'uint8';
    case 2: return signed ? 'int16' : 'uint16';
    case 4: return signed ? 'int32' : 'uint32';
    case 8: return signed ? 'int64' : 'uint64';
    default: return undefined;
  }
}
