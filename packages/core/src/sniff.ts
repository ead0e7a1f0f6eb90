/**
 * Format detection on magic numbers, never on extensions (`.ckpt` is ambiguous, an `.h5` may
 * be a zip or a Git LFS pointer). `describeContent` names what a file really is, for errors.
 */
import type { ByteSource } from './byte-source.js';

/** What sniffers look at: the first and last bytes of a file, its size and name. */
export interface SniffInput {
  readonly name: string;
  readonly size: number;
  /** Up to the first 4096 bytes. */
  readonly head: Uint8Array;
  /** Up to the last 4096 bytes. */
  readonly tail: Uint8Array;
}

export const SNIFF_BYTES = 4096;

export async function sniffInputOf(source: ByteSource): Promise<SniffInput> {
  const n = Math.min(SNIFF_BYTES, source.size);
  const head = await source.read(0, n, 'file header');
  const tail = source.size <= SNIFF_BYTES ? head : await source.read(source.size - n, n, 'file trailer');
  return { name: source.name, size: source.size, head, tail };
}

export function startsWith(bytes: Uint8Array, magic: readonly number[] | string, at = 0): boolean {
  const m = typeof magic === 'string' ? Array.from(magic, (c) => c.charCodeAt(0)) : magic;
  if (bytes.length < at + m.length) return false;
  for (let i = 0; i < m.length; i++) if (bytes[at + i] !== m[i]) return false;
  return true;
}

export const MAGIC = {
  hdf5: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a],
  zipLocal: [0x50, 0x4b, 0x03, 0x04],
  zipEmpty: [0x50, 0x4b, 0x05, 0x06],
  npy: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59],
  gzip: [0x1f, 0x8b],
  /** LevelDB/TF table magic 0xdb4775248b80fb57 as stored (low word first), last 8 bytes of a `.index`. */
  sstable: [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb],
} as const;

/**
 * A short description of what these bytes are, as best as can be told: `HDF5 file`,
 * `zip archive`, `Git LFS pointer file (the real file was never downloaded)`, `HTML page` …
 */
export function describeContent(input: SniffInput): string {
  const { head, tail, size } = input;
  if (size === 0) return 'an empty file';
  if (startsWith(head, MAGIC.hdf5)) return 'an HDF5 file';
  if (startsWith(head, MAGIC.zipLocal) || startsWith(head, MAGIC.zipEmpty)) {
    const text = latin1(head.subarray(0, 256));
    if (text.includes('metadata.json') || text.includes('config.json')) return 'a zip archive (looks like a Keras 3 .keras file)';
    if (text.includes('.npy')) return 'a zip archive (looks like a NumPy .npz file)';
    return 'a zip archive';
  }
  if (startsWith(head, MAGIC.npy)) return 'a NumPy .npy file';
  if (startsWith(head, MAGIC.gzip)) return 'a gzip-compressed file';
  if (tail.length >= 8 && startsWith(tail, MAGIC.sstable, tail.length - 8)) return 'a TensorFlow checkpoint index (.index SSTable)';
  const text = utf8Prefix(head);
  if (text !== undefined) {
    const t = text.trimStart();
    if (t.startsWith('version https://git-lfs.github.com/spec/')) {
      return 'a Git LFS pointer file (the real file was never downloaded: run `git lfs pull`)';
    }
    if (/^<!doctype html|^<html|^<head|^<\?xml/i.test(t)) return 'an HTML/XML page (a download that saved a web page instead of the file?)';
    if (t.startsWith('{') || t.startsWith('[')) return 'a JSON text file';
    if (/^model_checkpoint_path:/m.test(t)) return 'a TensorFlow `checkpoint` state file';
    return 'a text file';
  }
  return 'a binary file of unknown format';
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function utf8Prefix(bytes: Uint8Array): string | undefined {
  const probe = bytes.subarray(0, 1024);
  for (const b of probe) if (b === 0 || (b < 0x09) || (b > 0x0d && b < 0x20 && b !== 0x1b)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(probe.subarray(0, lastCharBoundary(probe)));
  } catch {
    return undefined;
  }
}

function lastCharBoundary(b: Uint8Array): number {
  let end = b.length;
  for (let i = 0; i < 4 && end > 0 && (b[end - 1]! & 0xc0) === 0x80; i++) end--;
  if (end > 0 && b[end - 1]! >= 0xc0) end--;
  return end === 0 ? b.length : end;
}
