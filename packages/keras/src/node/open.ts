/**
 * Open any Keras weights file from a path: legacy `.h5`, Keras 3 `.weights.h5` or a `.keras`
 * zip. What the file is comes from its bytes; a misnamed file gets an error saying what it is.
 */
import { describeContent, MAGIC, NotThisFormatError, sniffInputOf, startsWith } from '@tfweights/core';
import { openFile } from '@tfweights/core/node';
import { KerasReader } from '../keras-reader.js';
import { nodeH5Api } from './h5wasm-node.js';
import { openKerasArchive } from './archive.js';
import { checkNotTruncated } from './superblock.js';

/**
 * Open a Keras weights file. Throws NotThisFormatError (saying what the file really is) for
 * anything that is neither HDF5 nor a `.keras` zip, CorruptDataError for truncated files.
 */
export async function openKeras(path: string): Promise<KerasReader> {
  return openChecked(path, true);
}

/**
 * Open a Keras HDF5 file (`.h5`, `.weights.h5`) only: a `.keras` zip (renamed or not) is refused
 * with an error saying so.
 */
export async function openKerasH5(path: string): Promise<KerasReader> {
  return openChecked(path, false);
}

async function openChecked(path: string, allowZip: boolean): Promise<KerasReader> {
  const source = await openFile(path);
  let input;
  try {
    input = await sniffInputOf(source);
  } finally {
    await source.close();
  }
  if (startsWith(input.head, MAGIC.hdf5)) {
    checkNotTruncated(input.head, input.size, path);
    return KerasReader.open(await nodeH5Api(), path);
  }
  if (allowZip && (startsWith(input.head, MAGIC.zipLocal) || startsWith(input.head, MAGIC.zipEmpty))) {
    return openKerasArchive(path);
  }
  throw new NotThisFormatError(`not a Keras HDF5 file: this is ${describeContent(input)}`, {
    file: path, expected: allowZip ? 'an HDF5 file (.h5, .weights.h5) or a .keras zip' : 'an HDF5 file (.h5, .weights.h5); open .keras archives with openKeras',
  });
}
