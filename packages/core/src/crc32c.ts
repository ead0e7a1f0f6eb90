/**
 * CRC-32C (Castagnoli) with TensorFlow's mask (tsl/lib/hash/crc32c.h). `extend` continues a
 * CRC so that extend(value(A), B) === value(A‖B), which lets codecs checksum while bytes stream.
 *
 * The portable implementation is slicing-by-8 (fast enough for a browser). Node gets the
 * hardware (SSE4.2 / ARMv8) implementation of `@node-rs/crc32` as soon as
 * `@tfweights/core/node` is imported; `pnpm bench` in this package measures both.
 */

const POLY = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

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

/** Portable slicing-by-8 CRC-32C: continues `crc` (a finished CRC value, 0 to start) over `data`. */
export function crc32cPortable(data: Uint8Array, crc = 0): number {
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

export type Crc32cFunction = (data: Uint8Array, crc?: number) => number;

let impl: Crc32cFunction = crc32cPortable;
let implName = 'portable slicing-by-8';

/** CRC-32C of `data`, continuing from `crc` (0 to start). */
export function crc32c(data: Uint8Array, crc = 0): number {
  return impl(data, crc);
}

/** Swap in a faster implementation (done by `@tfweights/core/node`). */
export function useCrc32cImplementation(fn: Crc32cFunction, name: string): void {
  impl = fn;
  implName = name;
}

/** Name of the implementation in use, for benchmarks and diagnostics. */
export function crc32cImplementation(): string {
  return implName;
}

/** TensorFlow's mask: rotate right by 15 and add a constant (stored CRCs are masked). */
export function maskCrc32c(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** Inverse of {@link maskCrc32c}. */
export function unmaskCrc32c(masked: number): number {
  const r = (masked - MASK_DELTA) >>> 0;
  return ((r >>> 17) | (r << 15)) >>> 0;
}

/** Incremental CRC-32C, updated while bytes stream. */
export class Crc32c {
  private crc = 0;
  update(data: Uint8Array): this {
    this.crc = impl(data, this.crc);
    return this;
  }
  /** The CRC so far (not masked). */
  value(): number {
    return this.crc;
  }
  /** The CRC so far, masked as TensorFlow stores it. */
  masked(): number {
    return maskCrc32c(this.crc);
  }
}
