/**
 * CRC-32 as zip uses it (ISO-HDLC, reflected polynomial 0xEDB88320; APPNOTE.TXT §4.4.7), not
 * the CRC-32C of crc32c.ts. fflate computes this CRC internally but does not export it, and
 * the npm `crc-32` package is CommonJS-only; the slicing-by-8 code shared with CRC-32C
 * (crc-tables.ts) is small, portable and fast enough for zip members. A faster implementation (e.g. `@node-rs/crc32`'s `crc32`) can be
 * swapped in with {@link useCrc32Implementation}.
 */

import { slicingBy8 } from '../crc-tables.js';

const POLY = 0xedb88320;

/** Portable slicing-by-8 CRC-32: continues `crc` (a finished CRC value, 0 to start) over `data`. */
export const crc32Portable: (data: Uint8Array, crc?: number) => number = slicingBy8(POLY);

export type Crc32Function = (data: Uint8Array, crc?: number) => number;

let impl: Crc32Function = crc32Portable;

/** Zip's CRC-32 of `data`, continuing from `crc` (0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  return impl(data, crc);
}

/** Swap in a faster CRC-32 implementation (same contract as {@link crc32Portable}). */
export function useCrc32Implementation(fn: Crc32Function): void {
  impl = fn;
}

/** Incremental CRC-32, updated while bytes stream. */
export class Crc32 {
  private crc = 0;
  update(data: Uint8Array): this {
    this.crc = impl(data, this.crc);
    return this;
  }
  digest(): number {
    return this.crc >>> 0;
  }
}
