/**
 * Open what the user gave (an InputSet) with the codecs' browser-safe readers — the same
 * readers the CLI's adapters open by path. Detection follows the CLI's registry order:
 * SavedModel folder, checkpoint, HDF5 (Keras), `.keras`, NumPy, safetensors, tfjs.
 * HDF5 goes to the h5wasm worker; everything else is read here by ranged reads.
 */
import {
  describeContent, IoError, MAGIC, NotThisFormatError, readAll, sniffInputOf, startsWith,
  type ByteSource, type TensorReader,
} from '@tfweights/core';
import { checkpointFormat, dataFileName, indexFileName, openBundle } from '@tfweights/checkpoint';
import { checkNotTruncated, keras3Format, openKerasArchiveParts } from '@tfweights/keras';
import { openSavedModelSources } from '@tfweights/savedmodel';
import { TfjsReader } from '@tfweights/tfjs/codec';
import { openSource } from 'tfweights';
import { RemoteKerasReader } from './h5/remote-reader.js';
import { UrlSet, type InputSet } from './inputs.js';

const DATA_FILE = /\.data-\d{5}-of-\d{5}$/;
/** model.json, a Keras config JSON or a checkpoint state file is read whole; refuse absurd sizes first. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '');

async function readJson(set: InputSet, path: string): Promise<unknown> {
  const src = await set.source(path);
  const text = new TextDecoder().decode(await readAll(src, MAX_JSON_BYTES));
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new NotThisFormatError('not valid JSON', { file: src.name, cause });
  }
}

async function openSavedModel(set: InputSet, dir: string): Promise<TensorReader> {
  const has = async (p: string) => set.exists(dir + p);
  const index = (await has('variables/variables.index')) ? await set.source(`${dir}variables/variables.index`) : undefined;
  const fingerprint = (await has('fingerprint.pb')) ? await readAll(await set.source(`${dir}fingerprint.pb`), 1 << 20) : undefined;
  return openSavedModelSources({
    name: dir === '' ? set.label : `${set.label}${dir}`,
    savedModel: await set.source(`${dir}saved_model.pb`),
    ...(index ? { variablesIndex: index, openShard: (i: number, n: number) => set.source(dataFileName(`${dir}variables/variables`, i, n)) } : {}),
    ...(fingerprint ? { fingerprint } : {}),
  });
}

async function openCheckpoint(set: InputSet, prefix: string): Promise<TensorReader> {
  return openBundle(await set.source(indexFileName(prefix)), (i, n) => set.source(dataFileName(prefix, i, n)));
}

/** The prefix a folder's `checkpoint` state file names as latest (`model_checkpoint_path: "…"`). */
async function latestFromState(set: InputSet, dir: string): Promise<string | undefined> {
  if (!(await set.exists(`${dir}checkpoint`))) return undefined;
  const text = new TextDecoder().decode(await readAll(await set.source(`${dir}checkpoint`), 1 << 20));
  const m = /^model_checkpoint_path:\s*"((?:[^"\\]|\\.)*)"/m.exec(text);
  return m ? dir + m[1]!.replace(/^.*\//, '') : undefined;
}

async function openTfjs(set: InputSet, path: string): Promise<TensorReader> {
  const src = await set.source(path);
  const dir = dirOf(path);
  return TfjsReader.open(await readAll(src, MAX_JSON_BYTES), {
    name: src.name,
    resolve: async (p) => {
      if (p.startsWith('/') || /^[a-z]+:\/\//i.test(p) || p.split('/').includes('..')) throw new NotThisFormatError('shard path must be relative to model.json', { file: src.name, entry: p });
      return set.source(dir + p);
    },
  });
}

/** A Keras HDF5 file, with a Keras config JSON beside it when one was opened too. */
async function openHdf5(set: InputSet, path: string, src: ByteSource, head: Uint8Array): Promise<TensorReader> {
  checkNotTruncated(head, src.size, src.name);
  const json = (set.paths ?? []).find((p) => p.endsWith('.json') && p !== 'model.json');
  const config = json ? await readJson(set, json) : undefined;
  return RemoteKerasReader.open(await set.hdf5(path), src.name, config !== undefined ? { config } : {});
}

async function openKerasArchive(set: InputSet, path: string, src: ByteSource): Promise<TensorReader> {
  const parts = await openKerasArchiveParts(src);
  // A stored member is mounted as a range of the archive itself (a File slice, or URL ranges): nothing is copied.
  const blob = parts.storedAt !== undefined
    ? await set.hdf5(path, { start: parts.storedAt, size: parts.weights.size })
    : new Blob([await readAll(parts.weightsSource) as Uint8Array<ArrayBuffer>]);
  return RemoteKerasReader.open(blob, `${src.name}:model.weights.h5`, {
    ...(parts.json.config !== undefined ? { config: parts.json.config } : {}), metadata: parts.metadata,
  });
}

/** One file, told by its content (never by its extension), as the CLI does. */
async function openFile(set: InputSet, path: string): Promise<TensorReader> {
  const src = await set.source(path);
  const sniff = await sniffInputOf(src);
  if (checkpointFormat.sniff(sniff) || path.endsWith('.index')) return openCheckpoint(set, path.replace(/\.index$/, ''));
  if (DATA_FILE.test(path)) return openCheckpoint(set, path.replace(DATA_FILE, ''));
  if (startsWith(sniff.head, MAGIC.hdf5)) return openHdf5(set, path, src, sniff.head);
  if (keras3Format.sniff(sniff)) return openKerasArchive(set, path, src);
  if (/(^|\/)model\.json$/.test(path) || (path.endsWith('.json') && sniff.head[0] === 0x7b && new TextDecoder().decode(sniff.head).includes('weightsManifest'))) {
    return openTfjs(set, path);
  }
  try {
    return await openSource(src);
  } catch (err) {
    if (err instanceof NotThisFormatError) throw new NotThisFormatError(`cannot read this: it is ${describeContent(sniff)}`, { file: src.name });
    throw err;
  }
}

/** Open a local pick: a folder's layout decides first, then the one weights file in it. */
export async function openLocal(set: InputSet): Promise<TensorReader> {
  const paths = set.paths ?? [];
  const sm = paths.find((p) => /(^|\/)saved_model\.pb$/.test(p));
  if (sm) return openSavedModel(set, dirOf(sm));
  const indexes = paths.filter((p) => p.endsWith('.index') && !p.startsWith('variables/'));
  if (indexes.length > 0) {
    if (indexes.length === 1) return openCheckpoint(set, indexes[0]!.replace(/\.index$/, ''));
    const latest = await latestFromState(set, dirOf(indexes[0]!));
    if (latest && indexes.includes(`${latest}.index`)) return openCheckpoint(set, latest);
    throw new NotThisFormatError(`${indexes.length} checkpoints and no \`checkpoint\` state file naming one; open one prefix's files: ${indexes.slice(0, 5).join(', ')}`, { file: set.label });
  }
  const tfjs = paths.find((p) => /(^|\/)model\.json$/.test(p));
  if (tfjs && !paths.some((p) => /\.(h5|hdf5|keras)$/i.test(p))) return openTfjs(set, tfjs);
  const weights = paths.filter((p) => !p.endsWith('.json'));
  if (weights.length === 1) return openFile(set, weights[0]!);
  if (weights.length === 0) throw new NotThisFormatError('no weights file among the files opened', { file: set.label });
  throw new NotThisFormatError(`${weights.length} files and none of them a SavedModel, checkpoint or tfjs model: open one file at a time (${weights.slice(0, 4).join(', ')}${weights.length > 4 ? ', …' : ''})`, { file: set.label });
}

/**
 * Open a URL: a file, a checkpoint prefix (`…/ckpt` or `…/ckpt.index`), or a SavedModel / tfjs
 * folder (`…/model/`). A folder cannot be listed over HTTP, so the known file names are tried.
 */
export async function openUrl(url: string): Promise<TensorReader> {
  const cut = url.lastIndexOf('/');
  const dir = new UrlSet(url.slice(0, cut + 1));
  const name = url.slice(cut + 1);
  if (name !== '') {
    if (name.endsWith('.index') || DATA_FILE.test(name)) return openCheckpoint(dir, name.replace(/\.index$/, '').replace(DATA_FILE, ''));
    if (await dir.exists(name)) return openFile(dir, name);
    if (await dir.exists(`${name}.index`)) return openCheckpoint(dir, name);
  }
  const folder = new UrlSet(name === '' ? url : `${url}/`);
  if (await folder.exists('saved_model.pb')) return openSavedModel(folder, '');
  if (await folder.exists('model.json')) return openTfjs(folder, 'model.json');
  const latest = await latestFromState(folder, '');
  if (latest) return openCheckpoint(folder, latest);
  throw new IoError('nothing to open at this URL: not a file, and no saved_model.pb, model.json, checkpoint or <prefix>.index under it', { file: url });
}
