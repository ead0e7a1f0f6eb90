/**
 * h5wasm (libhdf5 compiled to wasm) reads local files only: its file driver is synchronous and
 * a remote read is not, so a remote `.h5` / `.weights.h5` (or a `.keras`'s inner weights file)
 * is streamed to a temporary file first, in bounded pieces, never whole in memory. A notice
 * says so (with the size) through the remote options' log, and errors keep naming the URL.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { IoError, type ByteSource } from '@tfweights/core';
import { makeTrackedTempDir, remoteOptions } from '@tfweights/core/node';

const COPY_CHUNK = 8 * 1024 * 1024;
/** Pieces in flight while copying (the source bounds its own requests too). */
const COPY_PARALLEL = 4;

function size(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

/** Copy `source` to `path` (which must not exist), a few pieces at a time. */
export async function copyToFile(source: ByteSource, path: string, what: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    for (let at = 0; at < source.size; at += COPY_CHUNK * COPY_PARALLEL) {
      const reads: Promise<Uint8Array>[] = [];
      for (let k = 0; k < COPY_PARALLEL && at + k * COPY_CHUNK < source.size; k++) {
        const from = at + k * COPY_CHUNK;
        reads.push(source.read(from, Math.min(COPY_CHUNK, source.size - from), what));
      }
      let pos = at;
      for (const r of reads) {
        const bytes = await r;
        await handle.write(bytes, 0, bytes.byteLength, pos);
        pos += bytes.byteLength;
      }
    }
  } catch (err) {
    throw err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string' && !(err as { file?: string }).file
      ? new IoError(`cannot write the temporary copy: ${err.message}`, { file: source.name, cause: err })
      : err;
  } finally {
    await handle.close();
  }
}

/** A temporary local copy of a remote HDF5 source; `remove()` deletes it. */
export async function localCopy(source: ByteSource, what = 'HDF5 file'): Promise<{ path: string; remove: () => Promise<void> }> {
  remoteOptions().log?.(`${source.name}: libhdf5 reads local files only; downloading ${size(source.size)} to a temporary copy (removed on close)`);
  // Tracked: removed on close, and on SIGINT/SIGTERM or exit if the reader is never closed.
  const { path: dir, remove } = await makeTrackedTempDir('tfw-keras-remote-');
  const path = join(dir, 'weights.h5');
  try {
    await copyToFile(source, path, what);
  } catch (err) {
    await remove();
    throw err;
  }
  return { path, remove };
}
