/**
 * Opening a checkpoint from whatever users pass: a prefix (`model.ckpt-1000`), its `.index`,
 * any `.data-*` shard, a directory with a `checkpoint` state file (or a single `.index`), or
 * the state file itself.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeContent, IoError, NotThisFormatError, sniffInputOf } from '@tfweights/core';
import { openFile } from '@tfweights/core/node';
import { openBundle, type CheckpointReader, type OpenBundleOptions } from '../reader.js';
import { dataFileName, indexFileName } from '../naming-files.js';
import { readCheckpointState, type CheckpointState } from './checkpoint-state.js';

export interface OpenCheckpointOptions extends OpenBundleOptions {}

/** A reader opened from a path, with what the path resolved to. */
export interface OpenedCheckpoint extends CheckpointReader {
  /** The bundle prefix that was opened. */
  readonly prefix: string;
  /** The directory's state file, when the checkpoint was found through one. */
  readonly state?: CheckpointState;
  /** Every checkpoint prefix the state file lists (oldest first), or just `prefix`. */
  readonly checkpoints: readonly string[];
}

const DATA_SUFFIX = /\.data-\d{5}-of-\d{5}$/;

async function kind(path: string): Promise<'file' | 'dir' | 'none'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}

/** Work out the prefix (and state file) a user-supplied path stands for. */
export async function resolveCheckpointPath(path: string): Promise<{ prefix: string; state?: CheckpointState }> {
  const k = await kind(path);
  if (k === 'dir') {
    if ((await kind(join(path, 'checkpoint'))) === 'file') {
      const state = await readCheckpointState(path);
      return { prefix: state.latest, state };
    }
    const indexes = (await readdir(path)).filter((f) => f.endsWith('.index'));
    if (indexes.length === 1) return { prefix: join(path, indexes[0]!.slice(0, -'.index'.length)) };
    throw new NotThisFormatError(indexes.length === 0
      ? 'directory holds no checkpoint (no `checkpoint` state file and no .index file)'
      : `directory holds ${indexes.length} checkpoints and no \`checkpoint\` state file; name one: ${indexes.slice(0, 5).join(', ')}`, { file: path });
  }
  if (path.endsWith('.index')) return { prefix: path.slice(0, -'.index'.length) };
  if (DATA_SUFFIX.test(path)) return { prefix: path.replace(DATA_SUFFIX, '') };
  if (basename(path) === 'checkpoint' && k === 'file' && (await kind(`${path}.index`)) !== 'file') {
    const state = await readCheckpointState(dirname(path));
    return { prefix: state.latest, state };
  }
  if ((await kind(indexFileName(path))) === 'file') return { prefix: path };
  if (k === 'file') {
    const src = await openFile(path);
    try {
      const what = describeContent(await sniffInputOf(src));
      throw new NotThisFormatError(`not a checkpoint: this is ${what}, and there is no ${basename(path)}.index beside it`, { file: path });
    } finally {
      await src.close();
    }
  }
  throw new IoError(`no such checkpoint: neither ${path} nor ${indexFileName(path)} exists`, { file: path });
}

/** Open a checkpoint (or SavedModel `variables/variables`) from a path; see the module doc. */
export async function openCheckpoint(path: string, opts: OpenCheckpointOptions = {}): Promise<OpenedCheckpoint> {
  const { prefix, state } = await resolveCheckpointPath(path);
  const index = await openFile(indexFileName(prefix));
  let reader: CheckpointReader;
  try {
    reader = await openBundle(index, (id, n) => openFile(dataFileName(prefix, id, n)), { name: opts.name ?? prefix, ...opts });
  } finally {
    await index.close();
  }
  return Object.assign(reader, { prefix, ...(state ? { state } : {}), checkpoints: state?.all ?? [prefix] }) as OpenedCheckpoint;
}
