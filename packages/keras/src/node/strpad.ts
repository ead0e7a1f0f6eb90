/**
 * h5wasm can only create fixed-length strings NULLTERM (`A<n>`) or SPACEPAD UTF-8 (`S<n>`);
 * Keras (NumPy `S` arrays through h5py) writes them NULLPAD. After h5wasm has closed the file
 * we flip the padding nibble of those attributes' datatype messages in place: same size, so
 * nothing else moves.
 *
 * HDF5 File Format Specification: attribute message version 1 = version 1, reserved 0, name
 * size (2, with NUL), datatype size (2), dataspace size (2), name padded to 8, datatype padded
 * to 8, …; string datatype = byte 0x13 (version 1, class 3), then bit field byte 1 (bits 0-3
 * padding: 0 NULLTERM, 1 NULLPAD; bits 4-7 character set), two zero bytes, 4-byte size.
 */
import { open } from 'node:fs/promises';

const CHUNK = 8 * 1024 * 1024;

function needleFor(attr: string): { needle: Buffer; nameLen: number } {
  const name = Buffer.from(`${attr}\0`, 'utf8');
  const padded = Math.ceil(name.length / 8) * 8;
  const needle = Buffer.alloc(padded + 4);
  name.copy(needle, 0);
  needle.set([0x13, 0x00, 0x00, 0x00], padded);
  return { needle, nameLen: name.length };
}

/**
 * Set NULLPAD on every fixed-length ASCII string attribute named in `attrs` (exact names).
 * Returns how many were patched.
 */
export async function patchFixedStringsToNullPad(path: string, attrs: readonly string[]): Promise<number> {
  const needles = [...new Set(attrs)].map(needleFor);
  if (needles.length === 0) return 0;
  const overlap = Math.max(...needles.map((n) => n.needle.length)) + 8;
  const fh = await open(path, 'r+');
  let patched = 0;
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(CHUNK + overlap);
    for (let base = 0; base < size; base += CHUNK) {
      const len = Math.min(CHUNK + overlap, size - base);
      await fh.read(buf, 0, len, base);
      const view = buf.subarray(0, len);
      for (const { needle, nameLen } of needles) {
        for (let at = view.indexOf(needle, 8); at >= 0; at = view.indexOf(needle, at + 1)) {
          // Only match inside the first CHUNK bytes of this window (the overlap is scanned next time).
          if (at >= CHUNK && base + CHUNK < size) break;
          const h = at - 8;
          const ok = view[h] === 1 && view[h + 1] === 0 && view.readUInt16LE(h + 2) === nameLen && view.readUInt16LE(h + 4) === 8;
          if (!ok) continue;
          await fh.write(Buffer.from([0x01]), 0, 1, base + at + needle.length - 3);
          patched++;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return patched;
}
