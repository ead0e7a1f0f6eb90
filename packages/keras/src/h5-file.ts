/**
 * A read-only view of one HDF5 file through h5wasm: groups, string attributes as Keras
 * writes them, dataset facts, and raw little-endian dataset bytes read in bounded
 * hyperslabs so a large dataset never passes whole through the wasm heap.
 */
import { CorruptDataError, IoError, isTfwError, LimitExceededError, RefusedError, type DTypeName } from '@tfweights/core';
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

/**
 * Deepest group nesting read (segments of an object path). Keras nests two levels per
 * sub-model (`layers/<name>`); deeper files are refused at once rather than walked: libhdf5's
 * cost to open one object by path grows faster than its depth (~8 ms at 200 levels, ~33 ms at
 * 400 on an idle core), and its recursive listing overflows the stack near 2,000 levels.
 */
export const MAX_H5_DEPTH = 256;

/** What one object path is, from the file's one-time listing. */
type Kind = 'group' | 'dataset' | 'other';

export type AttrValue = string | string[] | number[] | bigint | number | undefined;

/**
 * Keras 3's own guard (keras/src/saving/saving_lib.py `safe_get_h5_dataset`, Keras 3.15):
 * a dataset may declare more than 4 GiB only when that is at most 1000× what the file stores.
 * We bound every dataset by the file's size (times this ratio when it is filtered, e.g. gzip).
 */
export const MAX_H5_EXPANSION = 1000;

/** True for an error from a wasm abort (trap, out of memory, Emscripten `abort()`). */
export function isWasmAbort(err: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return true;
  const msg = (err as Error | undefined)?.message;
  return typeof msg === 'string' && (/^Aborted\(/.test(msg) || /memory access out of bounds|unreachable|out of memory|Cannot enlarge memory/i.test(msg));
}

/** libhdf5's error stack (HDF5-DIAG text) condensed to its innermost message. */
export function condenseH5Error(err: unknown): string {
  const msg = String((err as Error | undefined)?.message ?? err);
  const lines = [...msg.matchAll(/in (\w+)\(\): ([^\n]+)/g)];
  const last = lines[lines.length - 1];
  const first = lines[0];
  if (first && last) return first === last ? `${last[1]}: ${last[2]}` : `${first[1]}: ${first[2]}: ${last[2]}`;
  return msg.split('\n')[0]!.slice(0, 200);
}

export class H5Reader {
  /** Every object path (no leading slash; '' for the root) → what it is; built once. */
  private index: Map<string, Kind> | undefined;
  /** Listed paths in listing order. */
  private listed: string[] = [];
  /** Groups whose members the listing did not enumerate (reached through a soft link, or empty). */
  private readonly unlisted = new Set<string>();
  /** Dataset headers read while indexing, reused by datasetInfo. */
  private readonly headers = new Map<string, H5Metadata>();
  private readonly attrNameCache = new Map<string, string[]>();

  private constructor(
    readonly api: H5Api, readonly file: H5File, readonly name: string,
    /** Size of the HDF5 file in bytes (bounds what any dataset can hold). */
    readonly fileSize: number, private readonly release: () => void,
  ) {}

  /** Open `path` (a path h5wasm's file system can see) read-only. */
  static open(api: H5Api, path: string, name = path): H5Reader {
    const release = api.allowFile?.(path) ?? ((): void => {});
    let file: H5File;
    let size = Infinity;
    try {
      size = (api.module.FS as unknown as { stat(p: string): { size: number } }).stat(path).size;
      file = new api.h5.File(path, 'r');
    } catch (cause) {
      release();
      throw translate(api, cause, name, undefined, 'libhdf5 cannot open this HDF5 file');
    }
    if (!file.file_id || file.file_id < 0n) {
      release();
      throw new CorruptDataError('libhdf5 cannot open this HDF5 file (damaged or truncated?)', { file: name });
    }
    return new H5Reader(api, file, name, size, release);
  }

  close(): void {
    try {
      this.file.close();
    } catch {
      // A file whose module aborted cannot be closed; its memory goes with the module.
    } finally {
      this.release();
    }
  }

  private abs(path: string): string {
    return path.startsWith('/') ? path : `/${path}`;
  }

  /** Run a libhdf5 call, turning its failures (refused reads, aborts, error stacks) into typed errors. */
  private call<T>(what: string, entry: string | undefined, fn: () => T): T {
    try {
      const out = fn();
      this.checkRefused(entry);
      return out;
    } catch (cause) {
      throw translate(this.api, cause, this.name, entry, what);
    }
  }

  private checkRefused(entry: string | undefined): void {
    const refused = this.api.takeRefused?.() ?? [];
    if (refused.length > 0) throw refusedError(refused, this.name, entry);
  }

  private rel(path: string): string {
    return path.replace(/^\/+/, '').replace(/\/+$/, '');
  }

  /**
   * One listing of the whole file (libhdf5's H5Lvisit, through h5wasm's recursive get_names):
   * a path with members is a group; a leaf is a dataset if its header opens as one (kept for
   * datasetInfo), else asked for its type. Opening every object by its full path from the root
   * instead (h5wasm's `get_type` checks each prefix separately) costs O(depth²) per object.
   */
  private objects(): Map<string, Kind> {
    if (this.index) return this.index;
    const m = this.api.module;
    let names: string[];
    try {
      names = m.get_names(this.file.file_id, '/', true);
      this.checkRefused('/');
    } catch (cause) {
      // libhdf5's listing recurses once per level: a file nested thousands deep overflows the stack.
      if (cause instanceof RangeError) {
        markAborted(this.api);
        throw new LimitExceededError(`HDF5 groups nest deeper than libhdf5 can list (more than ${MAX_H5_DEPTH} levels are refused)`, { file: this.name, entry: '/' });
      }
      throw translate(this.api, cause, this.name, '/', 'cannot list the file');
    }
    const index = new Map<string, Kind>([['', 'group']]);
    for (const n of names) {
      let depth = 1;
      for (let i = n.indexOf('/'); i >= 0; i = n.indexOf('/', i + 1)) depth++;
      if (depth > MAX_H5_DEPTH) {
        throw new LimitExceededError(`HDF5 groups nest deeper than ${MAX_H5_DEPTH} levels`, { file: this.name, entry: `/${n}`, found: `${depth} levels` });
      }
      const slash = n.lastIndexOf('/');
      if (slash > 0) index.set(n.slice(0, slash), 'group');
    }
    for (const n of names) if (!index.has(n)) index.set(n, this.leafKind(n));
    this.listed = names;
    this.index = index;
    return index;
  }

  private leafKind(path: string): Kind {
    const p = `/${path}`;
    // Ask the type first: probing a group with get_dataset_metadata throws inside the wasm
    // module, and a few thousand of those (a model with thousands of weightless layers) leave
    // libhdf5 trapping with "null function or function signature mismatch".
    const t = this.typeOf(p);
    if (t !== 'dataset') {
      if (t === 'group') this.unlisted.add(path);
      return t ?? 'other';
    }
    try {
      const meta = this.api.module.get_dataset_metadata(this.file.file_id, p);
      this.checkRefused(p);
      this.headers.set(path, meta);
      return 'dataset';
    } catch (cause) {
      if (isTfwError(cause) || isWasmAbort(cause)) throw translate(this.api, cause, this.name, p, 'cannot read the object header');
      this.api.takeRefused?.();
    }
    return 'dataset'; // its header is read again, with the error, when it is used
  }

  /** libhdf5's own lookup of one path (slow for deep paths: only for what the listing leaves open). */
  private typeOf(p: string): Kind | undefined {
    const m = this.api.module;
    // An external link makes get_type open its target file, which the module's file guard
    // refuses: checkRefused turns that into a RefusedError naming the file.
    let t: number;
    try {
      t = m.get_type(this.file.file_id, p);
    } catch (cause) {
      if (isWasmAbort(cause)) throw translate(this.api, cause, this.name, p, 'cannot look up an object');
      this.checkRefused(p);
      return undefined;
    }
    this.checkRefused(p);
    if (t === m.H5O_TYPE_GROUP) return 'group';
    if (t === m.H5O_TYPE_DATASET) return 'dataset';
    return t < 0 ? undefined : 'other';
  }

  /** 'group', 'dataset' or undefined (absent or another kind of object). */
  kind(path: string): 'group' | 'dataset' | undefined {
    const index = this.objects();
    const rel = this.rel(path);
    const known = index.get(rel);
    if (known !== undefined) return known === 'other' ? undefined : known;
    // Not listed: absent, unless it lies below a group the listing did not enumerate.
    for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
      const up = rel.slice(0, i);
      if (!index.has(up)) continue;
      if (!this.unlisted.has(up)) return undefined;
      const t = this.typeOf(this.abs(rel));
      return t === 'other' ? undefined : t;
    }
    return undefined;
  }

  /** Member names of a group, as libhdf5 lists them (by name). */
  children(path: string): string[] {
    return this.call('cannot list the group', this.abs(path), () => this.api.module.get_names(this.file.file_id, this.abs(path), false));
  }

  /** Every object path below `path` (recursive), without the leading slash. */
  descendants(path = '/'): string[] {
    this.objects();
    const rel = this.rel(path);
    if (rel === '') return [...this.listed];
    if (!this.unlisted.has(rel)) return this.listed.filter((n) => n.startsWith(`${rel}/`));
    return this.call('cannot list the group', this.abs(path), () => this.api.module.get_names(this.file.file_id, this.abs(path), true)).map((n) => `${rel}/${n}`);
  }

  attrNames(path: string): string[] {
    const rel = this.rel(path);
    let names = this.attrNameCache.get(rel);
    if (!names) {
      names = this.call('cannot list attributes', this.abs(path), () => this.api.module.get_attribute_names(this.file.file_id, this.abs(path)));
      this.attrNameCache.set(rel, names);
    }
    return names;
  }

  hasAttr(path: string, name: string): boolean {
    return this.attrNames(path).includes(name);
  }

  /** An attribute's value (strings decoded, numeric arrays as numbers), or undefined. */
  attr(path: string, name: string): AttrValue {
    if (!this.hasAttr(path, name)) return undefined;
    const at = this.abs(path);
    let value: unknown;
    try {
      // A Group handle reads any object's attributes by path, without h5wasm's get() (which
      // asks libhdf5 the object's type first, by the slow per-prefix lookup).
      value = new this.api.h5.Group(this.file.file_id, at).get_attribute(name, false);
    } catch (cause) {
      throw translate(this.api, cause, this.name, at, `cannot read attribute '${name}'`);
    }
    this.checkRefused(at);
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
    const p = this.abs(path);
    const meta = this.headers.get(this.rel(path)) ?? this.call('cannot read dataset header', path, () => this.api.module.get_dataset_metadata(this.file.file_id, p));
    const vds = meta.virtual_sources;
    if (vds && vds.length > 0) {
      throw new RefusedError(`HDF5 virtual dataset mapped from '${vds[0]!.file_name}:${vds[0]!.dset_name}': reads never leave the input file`, { file: this.name, entry: path });
    }
    return meta;
  }

  /**
   * Refuse a declared size the file cannot hold: more bytes than the file when the dataset is
   * stored raw, more than {@link MAX_H5_EXPANSION}× the file when filtered (compressed).
   */
  private checkDeclaredSize(path: string, shape: readonly number[], itemSize: number, chunks: readonly number[] | null): void {
    let total = itemSize;
    for (const d of shape) total *= d;
    if (!Number.isSafeInteger(total) || total < 0) {
      throw new LimitExceededError('dataset declares more elements than can be addressed', { file: this.name, entry: path, found: `shape [${shape.join(', ')}]` });
    }
    if (total <= this.fileSize) return;
    const filtered = chunks !== null && this.call('cannot read the dataset filters', path, () => this.api.module.get_dataset_filters(this.file.file_id, this.abs(path))).length > 0;
    const bound = filtered ? this.fileSize * MAX_H5_EXPANSION : this.fileSize;
    if (total > bound) {
      throw new LimitExceededError(`dataset declares ${total} bytes, more than this ${this.fileSize}-byte file can hold${filtered ? ` compressed ${MAX_H5_EXPANSION}:1` : ''}`, {
        file: this.name, entry: path, found: `shape [${shape.join(', ')}] × ${itemSize} bytes`,
      });
    }
  }

  /** Dtype and shape of a dataset, mapped to our dtype names. */
  datasetInfo(path: string): H5DatasetInfo {
    const meta = this.metadata(path);
    const tag = this.hasAttr(path, 'dtype') ? this.stringAttrSafe(path, 'dtype') : undefined;
    const shape = meta.shape ?? [];
    this.checkDeclaredSize(path, shape, meta.size, meta.chunks);
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
    const v = this.call('cannot read the string dataset', path, () => new this.api.h5.Dataset(this.file.file_id, this.abs(path)).value);
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
    return datasetBytes(info, this.name);
  }

  /**
   * The same bytes as {@link readRaw}, hyperslab by hyperslab (at most {@link READ_CHUNK_BYTES}
   * each), as views of one reused buffer: valid until the next one is taken.
   */
  *rawChunks(info: H5DatasetInfo): Iterable<{ at: number; bytes: Uint8Array }> {
    const total = this.totalBytes(info);
    if (total === 0) return;
    const buf = new Uint8Array(total <= READ_CHUNK_BYTES || info.shape.length === 0 ? total : READ_CHUNK_BYTES);
    for (const slab of slabsOf(info, total)) yield { at: slab.at, bytes: this.readSlab(info, slab, buf) };
  }

  /**
   * One hyperslab of a dataset (`slabsOf`: the whole dataset when `slab.count` is null),
   * copied out of the wasm heap into `into` when it is large enough, else into a new buffer.
   */
  readSlab(info: H5DatasetInfo, slab: H5Slab, into?: Uint8Array): Uint8Array {
    const m = this.api.module;
    const nbytes = slab.bytes;
    const total = this.totalBytes(info);
    if (!Number.isSafeInteger(nbytes) || nbytes < 0 || slab.at + nbytes > total) {
      throw new CorruptDataError('hyperslab outside the dataset', { file: this.name, entry: info.path, expected: `at most ${total} bytes`, found: `${nbytes} bytes at ${slab.at}` });
    }
    const buf = into && into.byteLength >= nbytes ? into.subarray(0, nbytes) : new Uint8Array(nbytes);
    if (nbytes === 0) return buf;
    const { count, offset } = slab;
    const ptr = m._malloc(nbytes);
    if (!ptr) throw new IoError(`cannot allocate ${nbytes} bytes in the wasm heap`, { file: this.name, entry: info.path });
    try {
      const status = m.get_dataset_data(
        this.file.file_id, this.abs(info.path),
        count ? count.map(BigInt) : null, offset ? offset.map(BigInt) : null, count ? count.map(() => 1n) : null, BigInt(ptr),
      );
      if (status < 0) {
        this.checkRefused(info.path);
        throw new CorruptDataError('libhdf5 could not read the dataset (truncated file?)', { file: this.name, entry: info.path });
      }
      buf.set(m.HEAPU8.subarray(ptr, ptr + nbytes), 0);
      this.checkRefused(info.path);
      return buf;
    } catch (cause) {
      throw translate(this.api, cause, this.name, info.path, 'libhdf5 could not read the dataset');
    } finally {
      // A damaged file can make libhdf5 corrupt the heap without failing the read: free traps then.
      if (!aborted(this.api)) {
        try {
          m._free(ptr);
        } catch (cause) {
          // (thrown from finally on purpose: the bytes just read are not to be trusted either)
          throw translate(this.api, cause, this.name, info.path, 'libhdf5 could not read the dataset');
        }
      }
    }
  }
}

/** One read of a dataset: a hyperslab (offset, count) or, with both null, the whole dataset. */
export interface H5Slab {
  readonly offset: number[] | null;
  readonly count: number[] | null;
  /** Byte position in the C-order data. */
  readonly at: number;
  readonly bytes: number;
}

/** Bytes a dataset holds as stored (shape × stored item size), or a CorruptDataError. */
export function datasetBytes(info: H5DatasetInfo, file: string): number {
  let total = info.storedItemSize;
  for (const d of info.shape) total *= d;
  if (!Number.isSafeInteger(total) || total < 0) throw new CorruptDataError('dataset too large', { file, entry: info.path });
  return total;
}

/** The reads that make up a dataset of `total` bytes: one when it fits {@link READ_CHUNK_BYTES}, else hyperslabs. */
export function* slabsOf(info: H5DatasetInfo, total: number): Generator<H5Slab> {
  if (total === 0) return;
  if (total <= READ_CHUNK_BYTES || info.shape.length === 0) {
    yield { offset: null, count: null, at: 0, bytes: total };
    return;
  }
  yield* hyperslabs(info.shape, info.storedItemSize, READ_CHUNK_BYTES);
}

const brokenModules = new WeakSet<object>();

function aborted(api: H5Api): boolean {
  return brokenModules.has(api.module);
}

/** The module is unusable (a wasm abort, or a stack overflow inside libhdf5): the next file gets a fresh one. */
function markAborted(api: H5Api): void {
  brokenModules.add(api.module);
  api.markBroken?.();
}

/**
 * Where libhdf5 looks for filter plugins (h5wasm's build: its own install prefix, then
 * `/usr/local/hdf5/lib/plugin`): a dataset whose filter id is not built in makes it look there.
 */
const PLUGIN_DIRS = /^\/(__w\/libhdf5-wasm\/libhdf5-wasm\/dist\/[^/]+\/lib\/plugin|usr\/local\/hdf5\/lib\/plugin)(\/|$)/;

function refusedError(refused: readonly string[], file: string, entry: string | undefined): RefusedError {
  if (refused.every((p) => PLUGIN_DIRS.test(p))) {
    return new RefusedError(`the dataset uses an HDF5 filter that is not built in ('${refused[0]}'); filter plugins are never loaded`, {
      file, ...(entry !== undefined ? { entry } : {}),
    });
  }
  return new RefusedError(
    `the file asks libhdf5 to read another file ('${refused[0]}': HDF5 external storage, an external link or a virtual dataset); reads never leave the input file`,
    { file, ...(entry !== undefined ? { entry } : {}) },
  );
}

/** A libhdf5 failure as a typed error: refused outside reads first, then aborts, then the error stack. */
function translate(api: H5Api, cause: unknown, file: string, entry: string | undefined, what: string): Error {
  const refused = api.takeRefused?.() ?? [];
  if (refused.length > 0) return refusedError(refused, file, entry);
  if (isTfwError(cause)) return cause;
  const where = { file, ...(entry !== undefined ? { entry } : {}), cause };
  if (isWasmAbort(cause)) {
    markAborted(api);
    return new CorruptDataError(`${what}: libhdf5 aborted on this damaged file (${String((cause as Error).message).slice(0, 120)})`, where);
  }
  return new CorruptDataError(`${what}: ${condenseH5Error(cause)}`, where);
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
