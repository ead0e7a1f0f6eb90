/**
 * CRC-32C (Castagnoli) with TensorFlow's mask (tsl/lib/hash/crc32c.h). `extend` continues a
 * CRC so that extend(value(A), B) === value(A‖B), which lets codecs checksum while bytes stream.
 *
 * The portable implementation is slicing-by-8 (fast enough for a browser). Node gets the
 * hardware (SSE4.2 / ARMv8) implementation of `@node-rs/crc32` as soon as
 * `@tfweights/core/node` is imported; `pnpm bench` in this package measures both.
 */

import { slicingBy8 } from './crc-tables.js';

const POLY = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

/** Portable slicing-by-8 CRC-32C: continues `crc` (a finished CRC value, 0 to start) over `data`. */
export const crc32cPortable: (data: Uint8Array, crc?: number) => number = slicingBy8(POLY);

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
