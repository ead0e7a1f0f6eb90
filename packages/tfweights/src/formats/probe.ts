/** Build the {@link Probe} for a path: what the file's bytes are, or what a directory holds. */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { nearestNames, sniffInputOf } from '@tfweights/core';
import { openFile } from '@tfweights/core/node';
import type { Probe } from './adapter.js';

export async function probePath(path: string): Promise<Probe> {
  let st;
  try {
    st = await stat(path);
  } catch {
    // A checkpoint prefix (`ckpt`) does not exist by itself; its siblings tell.
    const siblings = await readdir(dirname(path)).catch(() => [] as string[]);
    const stem = basename(path);
    return { path, kind: 'missing', siblings: siblings.filter((s) => s.startsWith(stem)), nearby: nearestNames(stem, siblings) };
  }
  if (st.isDirectory()) return { path, kind: 'directory', entries: await readdir(path) };
  const source = await openFile(path);
  try {
    return { path, kind: 'file', sniff: await sniffInputOf(source) };
  } finally {
    await source.close();
  }
}
