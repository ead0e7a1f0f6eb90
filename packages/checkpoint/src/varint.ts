/** Bounded LEB128 varints for the SSTable block format (LevelDB coding.h). */
import { CorruptDataError } from '@tfweights/core';

export interface VarintResult {
  value: number;
  next: number;
}

/**
 * Decode a varint of at most `maxBytes` bytes (5 for varint32, 10 for varint64) starting at
 * `pos` and ending before `end`. Throws CorruptDataError on truncation, overlong encodings or
 * values beyond 2^53.
 */
export function readVarint(buf: Uint8Array, pos: number, end: number, maxBytes: number, what: string, file: string, base = 0): VarintResult {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (pos + i >= end) {
      throw new CorruptDataError(`truncated varint in ${what}`, { file, offset: base + pos });
    }
    const b = buf[pos + i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) {
      if (!Number.isSafeInteger(value) || (maxBytes === 5 && value > 0xffffffff)) {
        throw new CorruptDataError(`varint out of range in ${what}`, { file, offset: base + pos, found: String(value) });
      }
      return { value, next: pos + i + 1 };
    }
  }
  throw new CorruptDataError(`overlong varint in ${what}`, { file, offset: base + pos, expected: `at most ${maxBytes} bytes` });
}

/** Append the varint encoding of a non-negative safe integer. */
export function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Length in bytes of the varint encoding of `value`. */
export function varintLength(value: number): number {
  let n = 1;
  let v = value;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
