/**
 * Thin helpers over protobufjs's minimal Reader/Writer: int64 as safe JS numbers, and every
 * decoding failure turned into a CorruptDataError that names the file and entry.
 */
import protobuf from 'protobufjs/minimal.js';
import { CorruptDataError, isTfwError, LimitExceededError } from '@tfweights/core';

export const Reader = protobuf.Reader;
export const Writer = protobuf.Writer;
export type Reader = protobuf.Reader;
export type Writer = protobuf.Writer;

/** Where a message came from, for error messages. */
export interface Where {
  file: string;
  entry?: string;
  offset?: number;
}

type LongLike = { low: number; high: number; unsigned?: boolean } | number;

/** A varint int64 as a safe integer; throws LimitExceededError beyond 2^53. */
export function safeInt64(r: Reader, what: string, where: Where): number {
  const v = r.int64() as unknown as LongLike;
  return longToNumber(v, what, where);
}

export function longToNumber(v: LongLike, what: string, where: Where): number {
  if (typeof v === 'number') return v;
  const n = v.high * 4294967296 + (v.low >>> 0);
  if (!Number.isSafeInteger(n)) {
    throw new LimitExceededError(`${what} is outside the safe integer range`, { ...where, found: `high word ${v.high}` });
  }
  return n;
}

/** Run a decoder and convert protobufjs's plain errors (index out of range, bad varint). */
export function decoding<T>(what: string, where: Where, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isTfwError(err)) throw err;
    throw new CorruptDataError(`cannot decode ${what}: ${(err as Error).message}`, { ...where, cause: err });
  }
}

/** Create a writer (plain Uint8Array output in every environment). */
export function newWriter(): Writer {
  return new protobuf.Writer();
}
