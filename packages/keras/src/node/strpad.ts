/**
 * The NULLPAD string patch (`../strpad.ts`) on a file on disk: opened with `fs/promises`,
 * read in the pieces the patch asks for, written one byte at a time where it flips a nibble.
 */
import { open, type FileHandle } from 'node:fs/promises';
import * as strpad from '../strpad.js';

async function withFile<T>(path: string, run: (file: strpad.PatchFile) => Promise<T>): Promise<T> {
  const fh: FileHandle = await open(path, 'r+');
  try {
    const size = (await fh.stat()).size;
    return await run({
      size,
      read: async (position, length) => {
        const buf = new Uint8Array(length);
        const { bytesRead } = await fh.read(buf, 0, length, position);
        return buf.subarray(0, bytesRead);
      },
      write: async (position, bytes) => {
        await fh.write(bytes, 0, bytes.byteLength, position);
      },
    });
  } finally {
    await fh.close();
  }
}

/** {@link strpad.patchFixedStringsToNullPad} on the file at `path`. */
export function patchFixedStringsToNullPad(path: string, attrs: readonly string[]): Promise<number> {
  return withFile(path, (f) => strpad.patchFixedStringsToNullPad(f, attrs));
}

/** {@link strpad.patchFixedStringsInHeaders} on the file at `path`. */
export function patchFixedStringsInHeaders(path: string, objects: ReadonlyMap<number, ReadonlySet<string>>): Promise<number> {
  return withFile(path, (f) => strpad.patchFixedStringsInHeaders(f, objects));
}

/** {@link strpad.markFixedStringsNullPad} on the file at `path`. */
export function markFixedStringsNullPad(path: string, written: strpad.FixedStrings): Promise<void> {
  return withFile(path, (f) => strpad.markFixedStringsNullPad(f, written));
}
