/**
 * `.keras` archives (keras-team/keras `saving/saving_lib.py`, FORMATS.md §6.1): a zip with
 * `metadata.json`, `config.json` and `model.weights.h5`. libhdf5 only finds a superblock at
 * offsets 0, 512, 1024, 2048 …, so the inner HDF5 file cannot be opened inside the zip
 * (`../archive-parts.ts`, shared with browsers); it is streamed (stored members in slices, never whole in memory) to a temporary file that close()
 * removes.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ChecksumMismatchError, Crc32, type ByteSource, type ZipEntry } from '@tfweights/core';
import { makeTrackedTempDir, openLocation } from '@tfweights/core/node';
import { openKerasArchiveParts } from '../archive-parts.js';
import type { KerasReader } from '../keras-reader.js';
import { openWalkedKerasH5 } from './walked-reader.js';

export { readArchiveJson, type KerasArchiveJson } from '../archive-parts.js';

const COPY_CHUNK = 8 * 1024 * 1024;

/** Copy a member to `path`, checking its CRC-32 on the way (a flipped bit must not read as data). */
async function copyToFile(source: ByteSource, member: ZipEntry, path: string, file: string): Promise<void> {
  const handle = await open(path, 'wx');
  const crc = new Crc32();
  try {
    for (let at = 0; at < source.size; at += COPY_CHUNK) {
      const bytes = await source.read(at, Math.min(COPY_CHUNK, source.size - at), 'model.weights.h5');
      crc.update(bytes);
      await handle.write(bytes, 0, bytes.byteLength, at);
    }
  } finally {
    await handle.close();
  }
  if (crc.digest() !== member.crc32 >>> 0) {
    throw new ChecksumMismatchError('CRC-32 of the member does not match the central directory (damaged archive)', {
      file, entry: member.name, expected: hex(member.crc32), found: hex(crc.digest()),
    });
  }
}

function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/** Open the weights of a `.keras` archive; `opts.config` (parsed) replaces its config.json. */
export async function openKerasArchive(path: string, opts: { config?: unknown; budgetMs?: number } = {}): Promise<KerasReader> {
  const src = await openLocation(path);
  let tempDir: Awaited<ReturnType<typeof makeTrackedTempDir>> | undefined;
  try {
    const { weights, weightsSource: inner, json, metadata } = await openKerasArchiveParts(src);
    // Removed by close(), when the reader is garbage-collected unclosed, on exit and on signals.
    tempDir = await makeTrackedTempDir('tfw-keras-');
    const h5Path = join(tempDir.path, 'model.weights.h5');
    await copyToFile(inner, weights, h5Path, path);
    const dir = tempDir;
    tempDir = undefined;
    // The walk's clean-up removes the staged copy on failure too.
    return await openWalkedKerasH5(h5Path, {
      name: `${path}:model.weights.h5`, config: opts.config ?? json.config, metadata,
      onClose: () => dir.remove(), ...(opts.budgetMs !== undefined ? { budgetMs: opts.budgetMs } : {}),
    });
  } finally {
    await src.close?.();
    if (tempDir) await tempDir.remove();
  }
}
