/**
 * `.keras` archives (keras-team/keras `saving/saving_lib.py`, FORMATS.md §6.1): a zip with
 * `metadata.json`, `config.json` and `model.weights.h5`. libhdf5 only finds a superblock at
 * offsets 0, 512, 1024, 2048 …, so the inner HDF5 file cannot be opened inside the zip
 * (`../archive-parts.ts`, shared with browsers); it is streamed (stored members in slices, never whole in memory) to a temporary file that close()
 * removes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocation } from '@tfweights/core/node';
import { openKerasArchiveParts } from '../archive-parts.js';
import { KerasReader } from '../keras-reader.js';
import { nodeH5Api } from './h5wasm-node.js';
import { copyToFile } from './remote-copy.js';

export { readArchiveJson, type KerasArchiveJson } from '../archive-parts.js';

/** Open the weights of a `.keras` archive; `opts.config` (parsed) replaces its config.json. */
export async function openKerasArchive(path: string, opts: { config?: unknown } = {}): Promise<KerasReader> {
  const src = await openLocation(path);
  let tempDir: string | undefined;
  try {
    const { weightsSource: inner, json, metadata } = await openKerasArchiveParts(src);
    tempDir = await mkdtemp(join(tmpdir(), 'tfw-keras-'));
    const h5Path = join(tempDir, 'model.weights.h5');
    await copyToFile(inner, h5Path, 'model.weights.h5');
    const dir = tempDir;
    const reader = KerasReader.open(await nodeH5Api(), h5Path, {
      name: `${path}:model.weights.h5`, config: opts.config ?? json.config, metadata,
      onClose: () => rm(dir, { recursive: true, force: true }),
    });
    tempDir = undefined;
    return reader;
  } finally {
    await src.close?.();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}
