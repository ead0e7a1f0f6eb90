/**
 * SavedModel directories on the local file system: detect, open.
 * Layout (tensorflow/cc/saved_model/constants.h): saved_model.pb, variables/variables.index,
 * variables/variables.data-<i>-of-<n>, assets/, fingerprint.pb.
 */
import { dataFileName } from '@tfweights/checkpoint';
import { NotThisFormatError } from '@tfweights/core';
import { appendToLocation, isFileLocation, joinLocation, openLocation, readLocation, statLocation } from '@tfweights/core/node';
import { openSavedModelSources, type OpenSavedModelOptions } from '../open.js';
import type { SavedModelReader } from '../reader.js';

export const SAVED_MODEL_PB = 'saved_model.pb';
export const VARIABLES_PREFIX = 'variables/variables';
export const FINGERPRINT_PB = 'fingerprint.pb';

const isFile = isFileLocation;
const join = joinLocation;

/** A folder (over HTTP, which cannot list: a URL with saved_model.pb under it). */
async function isDir(path: string): Promise<boolean> {
  return (await statLocation(path, { children: [SAVED_MODEL_PB] })).kind === 'directory';
}

/** True when `path` is a directory holding a binary `saved_model.pb` (what the CLI checks before opening). */
export async function isSavedModelDir(path: string): Promise<boolean> {
  return (await isDir(path)) && isFile(join(path, SAVED_MODEL_PB));
}

/** Refuse directories that are not SavedModels, saying what they hold instead. */
async function requireSavedModelDir(dir: string): Promise<void> {
  if (!(await isDir(dir))) {
    throw new NotThisFormatError('not a SavedModel directory (a SavedModel is a folder with saved_model.pb)', { file: dir });
  }
  if (await isFile(join(dir, SAVED_MODEL_PB))) return;
  if (await isFile(join(dir, 'saved_model.pbtxt'))) {
    throw new NotThisFormatError('this SavedModel is stored as text (saved_model.pbtxt), which is not supported; only binary saved_model.pb', { file: dir });
  }
  if (await isFile(join(dir, 'saved_model.cpb'))) {
    throw new NotThisFormatError('this SavedModel is chunked (saved_model.cpb, written for protos over 2 GiB), which is not supported', { file: dir });
  }
  throw new NotThisFormatError('no saved_model.pb in this directory', { file: dir, expected: 'saved_model.pb' });
}

/**
 * Open the SavedModel in `dir`: decodes saved_model.pb (skipping its graph), opens
 * variables/variables.* lazily and names the variables. Close the reader when done.
 */
export async function openSavedModel(dir: string, opts: OpenSavedModelOptions = {}): Promise<SavedModelReader> {
  await requireSavedModelDir(dir);
  const pb = await openLocation(join(dir, SAVED_MODEL_PB));
  const prefix = join(dir, VARIABLES_PREFIX);
  const indexPath = appendToLocation(prefix, '.index');
  const fingerprintPath = join(dir, FINGERPRINT_PB);
  let fingerprint: Uint8Array | undefined;
  if (await isFile(fingerprintPath)) fingerprint = await readLocation(fingerprintPath, 64 * 1024 * 1024);
  const index = (await isFile(indexPath)) ? await openLocation(indexPath) : undefined;
  try {
    return await openSavedModelSources({
      name: dir,
      savedModel: pb,
      ...(index ? { variablesIndex: index, openShard: (i: number, n: number) => openLocation(appendToLocation(prefix, dataFileName('', i, n))) } : {}),
      ...(fingerprint ? { fingerprint } : {}),
    }, opts);
  } finally {
    // Both are read completely while opening (the bundle reader decodes the whole index).
    await pb.close?.();
    await index?.close?.();
  }
}
