/**
 * A folder of `.npy` files, one per tensor, plus `index.json` listing them — the converter's
 * "folder of .npy" output. Tensor keys may hold `/` and characters file systems dislike, so
 * files get safe, unique names and the index maps keys to files:
 *
 * ```json
 * { "format": "tfweights-npy-folder", "version": 1,
 *   "tensors": [ { "key": "dense/kernel", "name": "dense/kernel", "file": "dense__kernel.npy",
 *                  "dtype": "float32", "shape": [784, 10], "descr": "<f4" } ] }
 * ```
 * Entries are in write order; `role`, `layer` and `attrs` are kept when the tensor has them.
 */
import { InvalidArgumentError, materialize, type ByteSink, type ChunkedTensor, type Tensor, type TensorInfo, type TensorWriter, type TensorRole } from '@tfweights/core';
import { encodeNpyChunks } from './npy-chunks-encode.js';
import { encodeNpy, type NpyWriteOptions } from './npy-encode.js';

export const NPY_FOLDER_INDEX = 'index.json';

export interface NpyFolderIndexEntry {
  key: string;
  name: string;
  /** File name inside the folder. */
  file: string;
  dtype: string;
  shape: number[];
  /** NumPy descr written (`<f4`, `<U5` …). */
  descr: string;
  role?: TensorRole;
  layer?: string;
  attrs?: Readonly<Record<string, string | number | boolean>>;
}

export interface NpyFolderIndex {
  format: 'tfweights-npy-folder';
  version: 1;
  tensors: NpyFolderIndexEntry[];
}

/** Where the folder's files go: one sink per relative file name, committed together. */
export interface FolderSinks {
  sink(fileName: string): Promise<ByteSink>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** A safe file name for a key: `/` → `__`, anything outside [A-Za-z0-9._-] → `_`, ≤ 120 chars. */
export function safeFileStem(key: string): string {
  let s = key.replace(/\//g, '__').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (s.length === 0) s = '_';
  return s.length > 120 ? s.slice(0, 120) : s;
}

export class NpyFolderWriter implements TensorWriter {
  private readonly index: NpyFolderIndex = { format: 'tfweights-npy-folder', version: 1, tensors: [] };
  private readonly used = new Set<string>([NPY_FOLDER_INDEX.toLowerCase()]);
  private readonly keys = new Set<string>();

  constructor(private readonly files: FolderSinks, private readonly opts: NpyWriteOptions = {}) {}

  async write(tensor: Tensor): Promise<void> {
    if (this.keys.has(tensor.key)) throw new InvalidArgumentError(`duplicate tensor key '${tensor.key}'`);
    const { header, data, descr } = encodeNpy(tensor, this.opts);
    const sink = await this.member(tensor, descr);
    await sink.write(header);
    await sink.write(data);
  }

  /** The tensor's bytes in chunks (header first): a member is written in bounded memory. */
  async writeChunked(tensor: ChunkedTensor): Promise<void> {
    if (this.keys.has(tensor.key)) throw new InvalidArgumentError(`duplicate tensor key '${tensor.key}'`);
    const enc = encodeNpyChunks(tensor, this.opts);
    if (!enc) {
      await this.write(await materialize(tensor));
      return;
    }
    const sink = await this.member(tensor, enc.descr);
    await sink.write(enc.header);
    for await (const c of enc.chunks()) await sink.write(c);
  }

  /** Pick the member's file name, list it in the index and open its sink. */
  private async member(tensor: TensorInfo, descr: string): Promise<ByteSink> {
    const stem = safeFileStem(tensor.key);
    let file = `${stem}.npy`;
    // Case-insensitive file systems: compare lower-cased names.
    for (let n = 2; this.used.has(file.toLowerCase()); n++) file = `${stem}-${n}.npy`;
    this.used.add(file.toLowerCase());
    this.keys.add(tensor.key);
    const sink = await this.files.sink(file);
    this.index.tensors.push({
      key: tensor.key, name: tensor.name, file, dtype: tensor.dtype, shape: [...tensor.shape], descr,
      ...(tensor.role ? { role: tensor.role } : {}), ...(tensor.layer ? { layer: tensor.layer } : {}), ...(tensor.attrs ? { attrs: tensor.attrs } : {}),
    });
    return sink;
  }

  async finish(): Promise<void> {
    const sink = await this.files.sink(NPY_FOLDER_INDEX);
    await sink.write(new TextEncoder().encode(`${JSON.stringify(this.index, null, 2)}\n`));
    await this.files.commit();
  }

  async abort(): Promise<void> {
    await this.files.abort();
  }
}
