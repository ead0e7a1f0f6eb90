/**
 * CRC-32 as zip uses it (ISO-HDLC, reflected polynomial 0xEDB88320; APPNOTE.TXT §4.4.7), not
 * the CRC-32C of crc32c.ts. fflate computes this CRC internally but does not export it, and
 * the npm `crc-32` package is CommonJS-only; a slicing-by-8 table is small, portable and fast
 * enough for zip members. A faster implementation (e.g. `@node-rs/crc32`'s `crc32`) can be
 * swapped in with {@link useCrc32Implementation}.
 */

const POLY = 0xedb88320;

const TABLES: Uint32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[0]![i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 8; s++) t[s]![i] = (t[s - 1]![i]! >>> 8) ^ t[0]![t[s - 1]![i]! & 0xff]!;
  }
  return t;
})();

/** Portable slicing-by-8 CRC-32: continues `crc` (a finished CRC value, 0 to start) over `data`. */
export function crc32Portable(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  for (; i < end8; i += 8) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]!
      ^ t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
  }
  for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

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
