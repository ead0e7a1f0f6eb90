/**
 * Node entry of @tfweights/npy: open and write `.npy` / `.npz` files and `.npy` folders by
 * path. Outputs are written to temporary files and renamed into place (never half-written).
 */
import {
  byteLengthOf, CorruptDataError, writeAll, NotThisFormatError, TensorNotFoundError, describeContent, sniffInputOf, type DTypeName,
  type ReadOptions, type Tensor, type TensorInfo, type TensorReader,
} from '@tfweights/core';
import { AtomicFolder, createFileSink, joinLocation, openLocation, readLocation, type AtomicOptions } from '@tfweights/core/node';
import { npyFormat, npzFormat } from '../formats.js';
import { NpyReader, type NpyReaderOptions } from '../npy-reader.js';
import { NpzReader, type NpzReaderOptions } from '../npz-reader.js';
import { NpzWriter, type NpzWriterOptions } from '../npz-writer.js';
import { NPY_FOLDER_INDEX, NpyFolderWriter, type NpyFolderIndex } from '../npy-folder.js';
import { encodeNpy, type NpyWriteOptions } from '../npy-encode.js';
import { NpyFileWriter } from '../npy-file-writer.js';

/** Open a `.npy` file (key = file stem unless given). */
export async function openNpy(path: string, opts: NpyReaderOptions = {}): Promise<NpyReader> {
  const src = await openLocation(path);
  try {
    return await NpyReader.open(src, opts);
  } catch (e) {
    await src.close?.();
    throw e;
  }
}

/** Open an `.npz` file (reads its central directory and array headers only). */
export async function openNpz(path: string, opts: NpzReaderOptions = {}): Promise<NpzReader> {
  const src = await openLocation(path);
  try {
    return await NpzReader.open(src, opts);
  } catch (e) {
    await src.close?.();
    throw e;
  }
}

/** Open a `.npy` or `.npz` file, told apart by magic number. */
export async function openNumpy(path: string, opts: NpzReaderOptions & NpyReaderOptions = {}): Promise<NpyReader | NpzReader> {
  const src = await openLocation(path);
  try {
    const input = await sniffInputOf(src);
    if (npyFormat.sniff(input)) return await NpyReader.open(src, opts);
    if (npzFormat.sniff(input)) return await NpzReader.open(src, opts);
    throw new NotThisFormatError(`not a NumPy file: it is ${describeContent(input)}`, { file: path });
  } catch (e) {
    await src.close?.();
    throw e;
  }
}

export interface NpyFileWriteOptions extends NpyWriteOptions, AtomicOptions {}
export interface NpzFileWriteOptions extends NpzWriterOptions, AtomicOptions {}

/** Write one tensor as a `.npy` file (same bytes as np.save). */
export async function writeNpy(path: string, tensor: Tensor, opts: NpyFileWriteOptions = {}): Promise<void> {
  const { header, data } = encodeNpy(tensor, opts);
  const sink = await createFileSink(path, opts);
  try {
    await sink.write(header);
    await sink.write(data);
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/**
 * A `.npy` writer to a path for exactly one tensor, whole (`write`) or in chunks
 * (`writeChunked`: bounded memory); finish() renames it into place, abort() leaves nothing.
 */
export function createNpyWriter(path: string, opts: NpyFileWriteOptions = {}): NpyFileWriter {
  return new NpyFileWriter(() => createFileSink(path, opts), path, opts);
}

/** An `.npz` writer to a path: call write() per tensor, then finish() (or abort()). */
export async function createNpzWriter(path: string, opts: NpzFileWriteOptions = {}): Promise<NpzWriter> {
  return new NpzWriter(await createFileSink(path, opts), opts);
}

/** Write tensors as an `.npz` file (np.savez layout; `compressed` for np.savez_compressed). */
export async function writeNpz(path: string, tensors: Iterable<Tensor> | AsyncIterable<Tensor>, opts: NpzFileWriteOptions = {}): Promise<void> {
  await writeAll(await createNpzWriter(path, opts), tensors);
}

/**
 * A writer of a folder of `.npy` files plus `index.json`, committed as a whole on finish()
 * (core's AtomicFolder: a forced overwrite leaves no old file behind; a non-empty folder
 * without `index.json` is someone else's and refused).
 */
export function createNpyFolderWriter(dir: string, opts: NpyFileWriteOptions = {}): NpyFolderWriter {
  let folder: Promise<AtomicFolder> | undefined;
  const open = () => (folder ??= AtomicFolder.create(dir, NPY_FOLDER_INDEX, opts));
  return new NpyFolderWriter({
    sink: async (file) => (await open()).sink(file, { last: file === NPY_FOLDER_INDEX }),
    commit: async () => (await open()).commit(),
    abort: async () => (await folder?.catch(() => undefined))?.abort(),
  }, opts);
}

/** Reader of a folder written by {@link createNpyFolderWriter} (its `index.json` lists the tensors). */
export async function openNpyFolder(dir: string): Promise<TensorReader> {
  const indexPath = joinLocation(dir, NPY_FOLDER_INDEX);
  let index: NpyFolderIndex;
  try {
    index = JSON.parse(new TextDecoder().decode(await readLocation(indexPath, 64 * 1024 * 1024))) as NpyFolderIndex;
  } catch (cause) {
    throw new CorruptDataError(`cannot read the folder index: ${(cause as Error).message}`, { file: indexPath, cause });
  }
  if (index.format !== 'tfweights-npy-folder' || !Array.isArray(index.tensors)) {
    throw new NotThisFormatError('not a tfweights .npy folder index', { file: indexPath, expected: "format 'tfweights-npy-folder'" });
  }
  const entries = index.tensors;
  for (const e of entries) {
    if (typeof e.file !== 'string' || e.file.includes('/') || e.file.includes('\\') || e.file.startsWith('..')) {
      throw new CorruptDataError('index names a file outside the folder', { file: indexPath, entry: String(e.key) });
    }
  }
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const read = async (key: string): Promise<Tensor> => {
    const e = byKey.get(key);
    if (!e) throw new TensorNotFoundError(key, [...byKey.keys()], { file: dir });
    const r = await openNpy(joinLocation(dir, e.file), { key });
    try {
      const t = await r.read(key);
      return { ...t, name: e.name, ...(e.role ? { role: e.role } : {}), ...(e.layer ? { layer: e.layer } : {}), ...(e.attrs ? { attrs: e.attrs } : {}) };
    } finally {
      await r.close();
    }
  };
  return {
    format: 'npy-folder',
    source: dir,
    list: (): readonly TensorInfo[] => entries.map((e) => ({
      key: e.key, name: e.name, dtype: e.dtype as TensorInfo['dtype'], shape: e.shape,
      byteLength: e.dtype === 'string' ? 0 : byteLengthOf(e.dtype as DTypeName, e.shape),
      ...(e.role ? { role: e.role } : {}), ...(e.layer ? { layer: e.layer } : {}),
    })),
    read: (key: string, _o?: ReadOptions) => read(key),
    async *tensors() {
      for (const e of entries) yield await read(e.key);
    },
    close: async () => undefined,
  };
}

