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

const MSG_ATTRIBUTE = 0x000c;
const MSG_CONTINUATION = 0x0010;
/** An object header chunk larger than this is not one libhdf5 wrote for a Keras group. */
const MAX_HEADER_CHUNK = 4 * 1024 * 1024;

/**
 * The same patch without scanning the file: walk the version 1 object headers at the given
 * addresses (the groups that got the attributes; libver earliest keeps every attribute in
 * the header, HDF5 spec "Attribute Message" version 1, following continuation messages) and
 * set NULLPAD on the named fixed-length string attributes. Returns how many were patched.
 */
export async function patchFixedStringsInHeaders(path: string, objects: ReadonlyMap<number, ReadonlySet<string>>): Promise<number> {
  if (objects.size === 0) return 0;
  const fh = await open(path, 'r+');
  let patched = 0;
  try {
    const size = (await fh.stat()).size;
    const read = async (pos: number, len: number): Promise<Buffer | undefined> => {
      if (pos < 0 || len < 0 || pos + len > size) return undefined;
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      return bytesRead === len ? buf : undefined;
    };
    for (const [addr, names] of objects) {
      const prefix = await read(addr, 16);
      if (!prefix || prefix[0] !== 1) continue;
      let left = prefix.readUInt16LE(2);
      const chunks: [number, number][] = [[addr + 16, prefix.readUInt32LE(8)]];
      for (let c = 0; c < chunks.length && left > 0 && c < 64; c++) {
        const [start, len] = chunks[c]!;
        if (len > MAX_HEADER_CHUNK) break;
        const chunk = await read(start, len);
        if (!chunk) break;
        for (let at = 0; at + 8 <= len && left > 0; left--) {
          const type = chunk.readUInt16LE(at);
          const msgSize = chunk.readUInt16LE(at + 2);
          const data = at + 8;
          if (data + msgSize > len) break;
          if (type === MSG_CONTINUATION && msgSize >= 16) {
            chunks.push([Number(chunk.readBigUInt64LE(data)), Number(chunk.readBigUInt64LE(data + 8))]);
          } else if (type === MSG_ATTRIBUTE && msgSize >= 8 && chunk[data] === 1) {
            const nameLen = chunk.readUInt16LE(data + 2);
            const typeAt = data + 8 + Math.ceil(nameLen / 8) * 8;
            if (nameLen > 0 && typeAt + 8 <= data + msgSize) {
              const name = chunk.toString('utf8', data + 8, data + 8 + nameLen - 1);
              // Fixed-length string, version 1, padding NULLTERM (0): make it NULLPAD (1).
              if (names.has(name) && chunk[typeAt] === 0x13 && (chunk[typeAt + 1]! & 0x0f) === 0) {
                await fh.write(Buffer.from([(chunk[typeAt + 1]! & 0xf0) | 0x01]), 0, 1, start + typeAt + 1);
                patched++;
              }
            }
          }
          at = data + msgSize;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return patched;
}

/**
 * Mark the fixed-length string attributes a writer made NULLPAD: through their groups'
 * object headers, falling back to scanning the file when not all were found there.
 */
export async function markFixedStringsNullPad(path: string, written: { readonly fixedStringAttrs: readonly string[]; readonly fixedStringObjects: ReadonlyMap<number, ReadonlySet<string>> }): Promise<void> {
  const expected = [...written.fixedStringObjects.values()].reduce((s, v) => s + v.size, 0);
  const found = await patchFixedStringsInHeaders(path, written.fixedStringObjects);
  if (found < expected) await patchFixedStringsToNullPad(path, written.fixedStringAttrs);
}
