/** Helpers for tests of chunked reading and writing. */
import { sliceChunks, type ChunkedTensor, type Tensor } from '@tfweights/core';

/** Copy every chunk out (they are reused buffers): how many there were and their bytes joined. */
export async function collectChunks(chunks: AsyncIterable<Uint8Array>): Promise<{ n: number; bytes: Uint8Array }> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c.slice());
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { n: parts.length, bytes };
}

/** A whole tensor as a chunked one in chunks of `size` bytes; `onChunk` sees each as it is pulled. */
export function chunkedBy(t: Tensor, size: number, onChunk?: (key: string) => void): ChunkedTensor {
  const { data, strings: _s, ...info } = t;
  return {
    ...info,
    chunks: async function* () {
      for (const c of sliceChunks(data, size)) {
        onChunk?.(t.key);
        yield c;
      }
    },
  };
}
