/**
 * `.npy` data in chunks: the array bytes of a `.npy` file or a stored `.npz` member streamed
 * from its source in bounded, reused buffers, byte-swapped per chunk when the descr is
 * big-endian. Fortran-order and string arrays need every byte to reorder or decode, so they
 * are not streamed (the caller reads them whole).
 */
import { sourceChunks, swapBytesInPlace, withWriteBehind, type ByteSource, type ChunkedTensor } from '@tfweights/core';
import type { NpyHeader } from './npy-header.js';
import { listedInfo } from './npy-reader.js';

/** True when the array can stream: fixed-size elements in C order. */
export function streamable(header: NpyHeader): boolean {
  return !header.fortranOrder && !header.element.stringKind;
}

/**
 * The array of `header` as a chunked tensor; `src` holds the `.npy` bytes (its preamble at 0).
 * `watch` sees every stored byte (preamble, data, anything after) in order, and `check` runs
 * after the last chunk — a zip member's CRC-32 is verified this way.
 */
export function chunkedNpy(
  header: NpyHeader, key: string, src: ByteSource,
  verify?: { watch: (stored: Uint8Array) => void; check: () => void },
): ChunkedTensor {
  const el = header.element;
  async function* chunks(): AsyncIterable<Uint8Array> {
    verify?.watch(header.raw);
    for await (const c of sourceChunks(src, header.dataOffset, header.dataBytes, { what: `data of '${key}'` })) {
      verify?.watch(c);
      // 8 MiB chunks are a multiple of every element size: no element straddles two.
      if (el.bigEndian) swapBytesInPlace(c, el.componentSize);
      yield c;
    }
    if (verify) {
      const tail = header.dataOffset + header.dataBytes;
      if (tail < src.size) verify.watch(await src.read(tail, src.size - tail, `end of '${key}'`));
      verify.check();
    }
  }
  // sourceChunks' three buffers (swapped in place): a writer may write behind.
  return { ...listedInfo(key, header), chunks: withWriteBehind(chunks) };
}
