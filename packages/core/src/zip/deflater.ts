/**
 * Pluggable raw-deflate compressors for the zip writer. The default is fflate's streaming
 * Deflate. Its output is valid deflate but not zlib's bit stream (and varies with how the
 * input is chunked), so a caller that needs zlib-identical bytes (NumPy's
 * np.savez_compressed) plugs in a zlib port through {@link DeflaterFactory}.
 */
import { fflateNow } from './fflate-lazy.js';

/** A streaming raw-deflate compressor: push input, get the output produced so far. */
export interface Deflater {
  /** Compress `chunk`; `final` ends the stream. Returns the output bytes produced by this call. */
  push(chunk: Uint8Array, final: boolean): Uint8Array[];
}

/** Makes a fresh compressor for one member at a zlib-style level (0–9). */
export type DeflaterFactory = (level: number) => Deflater;

/** fflate's streaming Deflate (the default; the zip writer loads fflate before its first member). */
export const fflateDeflater: DeflaterFactory = (level) => {
  const out: Uint8Array[] = [];
  const d = new (fflateNow().Deflate)({ level: Math.max(0, Math.min(9, level)) as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 }, (chunk) => {
    out.push(chunk);
  });
  return {
    push(chunk, final) {
      d.push(chunk, final);
      return out.splice(0, out.length);
    },
  };
};
