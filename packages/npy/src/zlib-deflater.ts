/**
 * A zlib-identical raw deflate for the zip writer, from pako (a JavaScript port of zlib).
 * Python's zipfile compresses with zlib (level −1 = 6, wbits −15), so np.savez_compressed
 * output can only be reproduced byte for byte by zlib's own algorithm; fflate's deflate is
 * valid but picks different matches and block boundaries (checked in test/npz-identity.test.ts).
 * pako is loaded by {@link loadZlibDeflater} only when a compressed member is written, so
 * reading and uncompressed writing never pay for it.
 */
import type { DeflaterFactory } from '@tfweights/core';

let pako: typeof import('pako') | undefined;

/** Load pako (once) and give the deflater; {@link zlibDeflater} needs this awaited first. */
export async function loadZlibDeflater(): Promise<DeflaterFactory> {
  pako ??= await import('pako');
  return zlibDeflater;
}

export const zlibDeflater: DeflaterFactory = (level) => {
  if (!pako) throw new Error('zlibDeflater: await loadZlibDeflater() before compressing');
  const d = new pako.Deflate({ level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, raw: true });
  let out: Uint8Array[] = [];
  d.onData = (chunk) => {
    out.push(chunk as Uint8Array);
  };
  return {
    push(chunk, final) {
      if (!d.push(chunk, final)) throw new Error(`deflate failed: ${d.msg}`);
      const produced = out;
      out = [];
      return produced;
    },
  };
};
