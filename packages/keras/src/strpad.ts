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
import type { EmscriptenFs } from './opaque16.js';

/**
 * The few calls the patch makes on the finished file: Node opens it with `fs/promises`
 * (`@tfweights/keras/node`), a browser worker reaches it in h5wasm's own file system
 * ({@link emscriptenPatchFile}). Reads past the end return fewer bytes.
 */
export interface PatchFile {
  readonly size: number;
  read(position: number, length: number): Promise<Uint8Array>;
  write(position: number, bytes: Uint8Array): Promise<void>;
}

const CHUNK = 8 * 1024 * 1024;

function needleFor(attr: string): { needle: Uint8Array; nameLen: number } {
  const name = new TextEncoder().encode(`${attr}\0`);
  const padded = Math.ceil(name.length / 8) * 8;
  const needle = new Uint8Array(padded + 4);
  needle.set(name, 0);
  needle.set([0x13, 0x00, 0x00, 0x00], padded);
  return { needle, nameLen: name.length };
}

/** First index of `needle` in `hay` at or after `from`, or -1 (Buffer.indexOf for Uint8Arrays). */
function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let at = hay.indexOf(first, from); at >= 0 && at + needle.length <= hay.length; at = hay.indexOf(first, at + 1)) {
    let k = 1;
    while (k < needle.length && hay[at + k] === needle[k]) k++;
    if (k === needle.length) return at;
  }
  return -1;
}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 0x100000000;

/**
 * Set NULLPAD on every fixed-length ASCII string attribute named in `attrs` (exact names).
 * Returns how many were patched.
 */
export async function patchFixedStringsToNullPad(file: PatchFile, attrs: readonly string[]): Promise<number> {
  const needles = [...new Set(attrs)].map(needleFor);
  if (needles.length === 0) return 0;
  const overlap = Math.max(...needles.map((n) => n.needle.length)) + 8;
  let patched = 0;
  const size = file.size;
  for (let base = 0; base < size; base += CHUNK) {
    const view = await file.read(base, Math.min(CHUNK + overlap, size - base));
    for (const { needle, nameLen } of needles) {
      for (let at = indexOfBytes(view, needle, 8); at >= 0; at = indexOfBytes(view, needle, at + 1)) {
        // Only match inside the first CHUNK bytes of this window (the overlap is scanned next time).
        if (at >= CHUNK && base + CHUNK < size) break;
        const h = at - 8;
        const ok = view[h] === 1 && view[h + 1] === 0 && u16(view, h + 2) === nameLen && u16(view, h + 4) === 8;
        if (!ok) continue;
        await file.write(base + at + needle.length - 3, Uint8Array.of(0x01));
        patched++;
      }
    }
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
export async function patchFixedStringsInHeaders(file: PatchFile, objects: ReadonlyMap<number, ReadonlySet<string>>): Promise<number> {
  if (objects.size === 0) return 0;
  let patched = 0;
  const size = file.size;
  const read = async (pos: number, len: number): Promise<Uint8Array | undefined> => {
    if (pos < 0 || len < 0 || pos + len > size) return undefined;
    const buf = await file.read(pos, len);
    return buf.byteLength === len ? buf : undefined;
  };
  const dec = new TextDecoder();
  for (const [addr, names] of objects) {
    const prefix = await read(addr, 16);
    if (!prefix || prefix[0] !== 1) continue;
    let left = u16(prefix, 2);
    const chunks: [number, number][] = [[addr + 16, u32(prefix, 8)]];
    for (let c = 0; c < chunks.length && left > 0 && c < 64; c++) {
      const [start, len] = chunks[c]!;
      if (len > MAX_HEADER_CHUNK) break;
      const chunk = await read(start, len);
      if (!chunk) break;
      for (let at = 0; at + 8 <= len && left > 0; left--) {
        const type = u16(chunk, at);
        const msgSize = u16(chunk, at + 2);
        const data = at + 8;
        if (data + msgSize > len) break;
        if (type === MSG_CONTINUATION && msgSize >= 16) {
          chunks.push([u64(chunk, data), u64(chunk, data + 8)]);
        } else if (type === MSG_ATTRIBUTE && msgSize >= 8 && chunk[data] === 1) {
          const nameLen = u16(chunk, data + 2);
          const typeAt = data + 8 + Math.ceil(nameLen / 8) * 8;
          if (nameLen > 0 && typeAt + 8 <= data + msgSize) {
            const name = dec.decode(chunk.subarray(data + 8, data + 8 + nameLen - 1));
            // Fixed-length string, version 1, padding NULLTERM (0): make it NULLPAD (1).
            if (names.has(name) && chunk[typeAt] === 0x13 && (chunk[typeAt + 1]! & 0x0f) === 0) {
              await file.write(start + typeAt + 1, Uint8Array.of((chunk[typeAt + 1]! & 0xf0) | 0x01));
              patched++;
            }
          }
        }
        at = data + msgSize;
      }
    }
  }
  return patched;
}

/**
 * Mark the fixed-length string attributes a writer made NULLPAD: through their groups'
 * object headers, falling back to scanning the file when not all were found there.
 */
export async function markFixedStringsNullPad(file: PatchFile, written: FixedStrings): Promise<void> {
  const expected = [...written.fixedStringObjects.values()].reduce((s, v) => s + v.size, 0);
  const found = await patchFixedStringsInHeaders(file, written.fixedStringObjects);
  if (found < expected) await patchFixedStringsToNullPad(file, written.fixedStringAttrs);
}

/** What an HDF5 writer (H5Writer) records about the fixed-length string attributes it made. */
export interface FixedStrings {
  readonly fixedStringAttrs: readonly string[];
  readonly fixedStringObjects: ReadonlyMap<number, ReadonlySet<string>>;
}

/** A file in h5wasm's own (Emscripten) file system, e.g. MEMFS in a browser worker, as a PatchFile. */
export function emscriptenPatchFile(fs: EmscriptenFs & { stat(path: string): { size: number } }, path: string): PatchFile & { close(): void } {
  const stream = fs.open(path, 'r+');
  return {
    size: fs.stat(path).size,
    read: async (position, length) => {
      const buf = new Uint8Array(length);
      const got = fs.read(stream, buf, 0, length, position);
      return buf.subarray(0, got);
    },
    write: async (position, bytes) => {
      fs.write(stream, bytes, 0, bytes.byteLength, position);
    },
    close: () => fs.close(stream),
  };
}
