/**
 * Opening a checkpoint from whatever users pass: a prefix (`model.ckpt-1000`), its `.index`,
 * any `.data-*` shard, a directory with a `checkpoint` state file (or a single `.index`), or
 * the state file itself.
 */
import { describeContent, IoError, NotThisFormatError, sniffInputOf } from '@tfweights/core';
import {
  appendToLocation, basenameLocation, dirnameLocation, joinLocation, listLocation, openLocation, statLocation, withBasenameLocation,
} from '@tfweights/core/node';
import { openBundle, type CheckpointReader, type OpenBundleOptions } from '../reader.js';
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

/** Sibling names of a prefix, wherever it lives (`ckpt` → `ckpt.index`, an hf revision kept). */
const indexFileName = (prefix: string) => appendToLocation(prefix, '.index');
const dataFileName = (prefix: string, id: number, n: number) =>
  appendToLocation(prefix, `.data-${String(id).padStart(5, '0')}-of-${String(n).padStart(5, '0')}`);

async function kind(path: string, children?: readonly string[]): Promise<'file' | 'dir' | 'none'> {
  const s = await statLocation(path, children ? { children } : {});
  return s.kind === 'directory' ? 'dir' : s.kind === 'file' ? 'file' : 'none';
}

/** Work out the prefix (and state file) a user-supplied path or URL stands for. */
export async function resolveCheckpointPath(path: string): Promise<{ prefix: string; state?: CheckpointState }> {
  // Suffixes are judged on the last segment: an hf revision (`ckpt.index@v2`) or a URL query may follow it.
  const base = basenameLocation(path);
  // A prefix or a shard is not a file of its own: skip the folder check for names that say what they are.
  const k = base.endsWith('.index') || DATA_SUFFIX.test(base) ? 'file' : await kind(path, ['checkpoint']);
  if (k === 'dir') {
    if ((await kind(joinLocation(path, 'checkpoint'))) === 'file') {
      const state = await readCheckpointState(path);
      return { prefix: state.latest, state };
    }
    const listed = await listLocation(path);
    if (listed === undefined) {
      throw new NotThisFormatError('no `checkpoint` state file at this URL, and HTTP cannot list folders; name the checkpoint prefix', { file: path });
    }
    const indexes = listed.filter((f) => f.endsWith('.index'));
    if (indexes.length === 1) return { prefix: joinLocation(path, indexes[0]!.slice(0, -'.index'.length)) };
    throw new NotThisFormatError(indexes.length === 0
      ? 'directory holds no checkpoint (no `checkpoint` state file and no .index file)'
      : `directory holds ${indexes.length} checkpoints and no \`checkpoint\` state file; name one: ${indexes.slice(0, 5).join(', ')}`, { file: path });
  }
  if (base.endsWith('.index')) return { prefix: withBasenameLocation(path, base.slice(0, -'.index'.length)) };
  if (DATA_SUFFIX.test(base)) return { prefix: withBasenameLocation(path, base.replace(DATA_SUFFIX, '')) };
  if (base === 'checkpoint' && k === 'file' && (await kind(indexFileName(path))) !== 'file') {
    const state = await readCheckpointState(dirnameLocation(path));
    return { prefix: state.latest, state };
  }
  if ((await kind(indexFileName(path))) === 'file') return { prefix: path };
  if (k === 'file') {
    const src = await openLocation(path);
    try {
      const what = describeContent(await sniffInputOf(src));
      throw new NotThisFormatError(`not a checkpoint: this is ${what}, and there is no ${basenameLocation(path)}.index beside it`, { file: path });
    } finally {
      await src.close?.();
    }
  }
  throw new IoError(`no such checkpoint: neither ${path} nor ${indexFileName(path)} exists`, { file: path });
}

/** Open a checkpoint (or SavedModel `variables/variables`) from a path; see the module doc. */
export async function openCheckpoint(path: string, opts: OpenCheckpointOptions = {}): Promise<OpenedCheckpoint> {
  const { prefix, state } = await resolveCheckpointPath(path);
  const index = await openLocation(indexFileName(prefix));
  let reader: CheckpointReader;
  try {
    reader = await openBundle(index, (id, n) => openLocation(dataFileName(prefix, id, n)), { name: opts.name ?? prefix, ...opts });
  } finally {
    await index.close?.();
  }
  return Object.assign(reader, { prefix, ...(state ? { state } : {}), checkpoints: state?.all ?? [prefix] }) as OpenedCheckpoint;
}
