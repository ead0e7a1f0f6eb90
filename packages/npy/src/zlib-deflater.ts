/**
 * A zlib-identical raw deflate for the zip writer, from pako (a JavaScript port of zlib).
 * Python's zipfile compresses with zlib (level −1 = 6, wbits −15), so np.savez_compressed
 * output can only be reproduced byte for byte by zlib's own algorithm; fflate's deflate is
 * valid but picks different matches and block boundaries (checked in test/npz-identity.test.ts).
 */
import { Deflate } from 'pako';
import type { DeflaterFactory } from '@tfweights/core';

export const zlibDeflater: DeflaterFactory = (level) => {
  const d = new Deflate({ level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, raw: true });
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
