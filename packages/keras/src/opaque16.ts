/**
 * bfloat16 datasets as Keras 3 writes them: HDF5 opaque 2-byte type (h5py `|V2`) with the
 * attribute `dtype="bfloat16"` (keras `saving/saving_lib.py` H5Entry.__setitem__, which the
 * loader answers with `np.array(ds, dtype=ml_dtypes.bfloat16)`: libhdf5 converts opaque to
 * opaque, but not float32 to opaque). h5wasm cannot create opaque types, so the dataset is
 * created as a 2-byte unsigned integer holding the raw bfloat16 bits, and after libhdf5 has
 * closed the file its datatype message is rewritten in place to opaque.
 *
 * HDF5 File Format Specification: version 1 object header = version 1, reserved, number of
 * messages (2), reference count (4), header size (4), padded to 16 bytes; then messages, each
 * type (2), size (2), flags (1), reserved (3), data padded to 8. Continuation message (0x10) =
 * offset (8), length (8) of the next chunk. Datatype message (0x03): byte 0 = version << 4 |
 * class (0 fixed-point, 5 opaque), 3 bytes of class bits (opaque: tag length), size (4), then
 * properties (fixed-point: bit offset and precision, 4 bytes; opaque: the tag, here empty).
 */
import { IoError } from '@tfweights/core';

/** The Emscripten file system calls used here (h5wasm exports `FS`). */
export interface EmscriptenFs {
  open(path: string, flags: string): unknown;
  read(stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number): number;
  write(stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number): number;
  close(stream: unknown): void;
}

const MSG_DATATYPE = 0x0003;
const MSG_CONTINUATION = 0x0010;
/** An object header chunk larger than this is not one libhdf5 wrote for a small dataset. */
const MAX_CHUNK = 1 << 20;

/** Rewrite the 2-byte integer datatype of the objects at `addresses` to 2-byte opaque. */
export function patchToOpaque16(fs: EmscriptenFs, path: string, addresses: readonly number[], name = path): void {
  if (addresses.length === 0) return;
  const stream = fs.open(path, 'r+');
  try {
    const read = (pos: number, len: number): Uint8Array => {
      const buf = new Uint8Array(len);
      const got = fs.read(stream, buf, 0, len, pos);
      if (got !== len) throw new IoError(`short read of an object header at ${pos}`, { file: name });
      return buf;
    };
    for (const addr of addresses) patchOne(addr, read, (pos, bytes) => fs.write(stream, bytes, 0, bytes.length, pos), name);
  } finally {
    fs.close(stream);
  }
}

function patchOne(addr: number, read: (pos: number, len: number) => Uint8Array, write: (pos: number, bytes: Uint8Array) => void, name: string): void {
  const prefix = read(addr, 16);
  const pv = new DataView(prefix.buffer);
  if (prefix[0] !== 1) throw new IoError(`object header at ${addr} is not version 1 (found ${prefix[0]})`, { file: name });
  let left = pv.getUint16(2, true);
  const chunks: [number, number][] = [[addr + 16, pv.getUint32(8, true)]];
  for (let c = 0; c < chunks.length && left > 0; c++) {
    const [start, len] = chunks[c]!;
    if (len > MAX_CHUNK) throw new IoError(`object header chunk of ${len} bytes at ${start}`, { file: name });
    const chunk = read(start, len);
    const v = new DataView(chunk.buffer);
    for (let at = 0; at + 8 <= len && left > 0; left--) {
      const type = v.getUint16(at, true);
      const size = v.getUint16(at + 2, true);
      const data = at + 8;
      if (data + size > len) break;
      if (type === MSG_CONTINUATION && size >= 16) {
        chunks.push([Number(v.getBigUint64(data, true)), Number(v.getBigUint64(data + 8, true))]);
      } else if (type === MSG_DATATYPE) {
        // Only the unsigned 2-byte integer we created is rewritten.
        if (size < 8 || chunk[data] !== 0x10 || (chunk[data + 1]! & 0x08) !== 0 || v.getUint32(data + 4, true) !== 2) {
          throw new IoError(`object at ${addr} does not have the 2-byte integer type to turn into opaque`, { file: name });
        }
        const msg = new Uint8Array(size);
        msg.set([0x15, 0, 0, 0, 2, 0, 0, 0]);
        write(start + data, msg);
        return;
      }
      at = data + size;
    }
  }
  throw new IoError(`no datatype message found in the object header at ${addr}`, { file: name });
}
