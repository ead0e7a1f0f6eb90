/**
 * Build the {@link Probe} for a location (local path, http(s)://, s3://, gs://, hf://): what the
 * file's bytes are, or what a directory holds. HTTP cannot list folders, so a folder URL is
 * recognised by the files that mark a layout (saved_model.pb, checkpoint, model.json, index.json).
 */
import { isRemoteLocation, sniffInputOf } from '@tfweights/core';
import { appendToLocation, basenameLocation, dirnameLocation, isFileLocation, listLocation, openLocation, statLocation } from '@tfweights/core/node';
import type { Probe } from './adapter.js';

/** Files whose presence makes a URL a model folder (when its service cannot list). */
const FOLDER_MARKERS = ['saved_model.pb', 'checkpoint', 'model.json', 'index.json'];

export async function probePath(path: string): Promise<Probe> {
  const st = await statLocation(path, { children: FOLDER_MARKERS });
  if (st.kind === 'missing') return { path, kind: 'missing', ...(await siblingsOf(path)) };
  if (st.kind === 'directory') return { path, kind: 'directory', entries: st.entries ?? [] };
  const source = await openLocation(path);
  try {
    return { path, kind: 'file', sniff: await sniffInputOf(source) };
  } finally {
    await source.close?.();
  }
}

/** A checkpoint prefix (`ckpt`) does not exist by itself; its siblings tell (and near names help a typo). */
async function siblingsOf(path: string): Promise<{ siblings: string[]; listing: string[] }> {
  const stem = basenameLocation(path);
  const listed = await listLocation(dirnameLocation(path)).catch(() => [] as string[]);
  if (listed !== undefined) return { siblings: listed.filter((s) => s.startsWith(stem)), listing: listed };
  // HTTP cannot list: ask for the one sibling that makes a prefix a checkpoint.
  const index = isRemoteLocation(path) && (await isFileLocation(appendToLocation(path, '.index')));
  return { siblings: index ? [`${stem}.index`] : [], listing: [] };
}
