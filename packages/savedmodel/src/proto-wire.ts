/**
 * A thin layer over protobufjs's minimal `Reader`: iterate the fields of one message, skip
 * what we do not need by length (never decoding it), and turn every protobufjs failure into
 * a CorruptDataError naming the file, the offset and the message being read.
 *
 * Why not generated code or reflection: we decode a handful of fields out of messages whose
 * bulk (graph_def, function library) must be skipped unread; a hand-written field loop over
 * `Reader` does exactly that, needs no `eval` (strict CSP) and no .proto file at run time.
 */
import pb from 'protobufjs/minimal.js';
import { CorruptDataError, isTfwError } from '@tfweights/core';

const { Reader } = pb;
type PbReader = InstanceType<typeof Reader>;

/** Wire types (https://protobuf.dev/programming-guides/encoding/). Groups (3, 4) are never used by TF protos. */
export const WIRE = { varint: 0, fixed64: 1, len: 2, fixed32: 5 } as const;

/** Where a message lives, for error messages. */
export interface WireContext {
  /** File name for errors. */
  readonly file: string;
  /** Offset of `bytes[0]` inside the file. */
  readonly base: number;
  /** What is being decoded, e.g. `SavedModel.meta_graphs[0].meta_info_def`. */
  readonly what: string;
}

/** One field being visited: its number, wire type and a reader positioned on its value. */
export class Field {
  constructor(
    readonly number: number,
    readonly wireType: number,
    private readonly r: PbReader,
    private readonly ctx: WireContext,
  ) {}

  /** Offset of the field's value in the file. */
  get offset(): number {
    return this.ctx.base + this.r.pos;
  }

  private expect(wireType: number, kind: string): void {
    if (this.wireType !== wireType) {
      throw new CorruptDataError(`field ${this.number} of ${this.ctx.what} has the wrong wire type`, {
        file: this.ctx.file, offset: this.offset, expected: `${kind} (wire type ${wireType})`, found: `wire type ${this.wireType}`,
      });
    }
  }

  /** A varint as an unsigned 32-bit number (enum, int32 ≥ 0, bool). */
  uint32(): number {
    this.expect(WIRE.varint, 'varint');
    return this.r.uint32();
  }

  /** A varint as a signed 32-bit number (int32 / enum; negative values are 10-byte varints). */
  int32(): number {
    this.expect(WIRE.varint, 'varint');
    return this.r.int32();
  }

  bool(): boolean {
    this.expect(WIRE.varint, 'varint');
    return this.r.bool();
  }

  /** A fixed32 IEEE float. */
  float(): number {
    this.expect(WIRE.fixed32, 'fixed32');
    return this.r.float();
  }

  /** A signed int64 varint as a bigint. */
  int64(): bigint {
    this.expect(WIRE.varint, 'varint');
    return longToBigInt(this.r.int64(), false);
  }

  /** An unsigned uint64 varint as a bigint. */
  uint64(): bigint {
    this.expect(WIRE.varint, 'varint');
    return longToBigInt(this.r.uint64(), true);
  }

  /** Length-delimited bytes as a view into the message (no copy). */
  bytes(): Uint8Array {
    this.expect(WIRE.len, 'length-delimited');
    return this.r.bytes();
  }

  /** Length-delimited bytes with the file offset of their first byte (for nested messages). */
  message(): { bytes: Uint8Array; base: number } {
    this.expect(WIRE.len, 'length-delimited');
    const bytes = this.r.bytes();
    return { bytes, base: this.ctx.base + this.r.pos - bytes.length };
  }

  string(): string {
    return utf8(this.bytes());
  }
}

/** Skip one field's value by its wire type, without decoding it. */
function skipValue(r: PbReader, wireType: number, ctx: WireContext, number: number): void {
  switch (wireType) {
    case WIRE.varint: r.skip(); return; // skip() without length walks one varint
    case WIRE.fixed64: r.skip(8); return;
    case WIRE.len: r.skip(r.uint32()); return;
    case WIRE.fixed32: r.skip(4); return;
    default:
      throw new CorruptDataError(`invalid wire type ${wireType} for field ${number} of ${ctx.what}`, {
        file: ctx.file, offset: ctx.base + r.pos, expected: 'wire type 0, 1, 2 or 5',
      });
  }
}

/**
 * Visit each field of the message in `bytes` in file order (any field order is accepted:
 * TF 2.14 writes them descending). `visit` reads the value through the Field or returns
 * false to have it skipped; a value the visitor leaves unread is skipped too.
 */
export function forEachField(bytes: Uint8Array, ctx: WireContext, visit: (f: Field) => boolean | void): void {
  const r = Reader.create(bytes);
  guard(ctx, r, () => {
    while (r.pos < r.len) {
      const tagPos = r.pos;
      const tag = r.uint32();
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (number === 0) {
        throw new CorruptDataError(`field number 0 in ${ctx.what}`, { file: ctx.file, offset: ctx.base + tagPos, expected: 'a field number ≥ 1' });
      }
      const valuePos = r.pos;
      const handled = visit(new Field(number, wireType, r, ctx));
      if (handled === false || r.pos === valuePos) {
        r.pos = valuePos;
        skipValue(r, wireType, ctx, number);
      }
    }
  });
}

/** Run protobufjs reads, translating its RangeError/Error into CorruptDataError. */
function guard(ctx: WireContext, r: PbReader, body: () => void): void {
  try {
    body();
  } catch (err) {
    if (isTfwError(err)) throw err;
    throw new CorruptDataError(`${ctx.what} is not a valid protobuf message (truncated or corrupt): ${(err as Error).message}`, {
      file: ctx.file, offset: ctx.base + Math.min(r.pos, r.len), cause: err,
    });
  }
}

interface LongLike { low: number; high: number }

/** protobufjs returns `Long` (or a number when long.js is absent); public types use bigint. */
export function longToBigInt(v: LongLike | number, unsigned: boolean): bigint {
  if (typeof v === 'number') return BigInt(v);
  const big = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned ? big : BigInt.asIntN(64, big);
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function utf8(bytes: Uint8Array): string {
  // proto3 strings must be UTF-8; TF never writes anything else. Replacement characters rather
  // than a hard error keep a listing usable when one name is damaged.
  return decoder.decode(bytes);
}

/** A bigint that must fit a JS number (dimension sizes, versions); throws otherwise. */
export function toSafeNumber(v: bigint, ctx: WireContext, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CorruptDataError(`${what} in ${ctx.what} is out of range`, { file: ctx.file, expected: 'a safe integer', found: v.toString() });
  }
  return Number(v);
}

/** Where one field sits in its message: [start, end) covers tag and value. */
export interface FieldSpan {
  readonly number: number;
  readonly wireType: number;
  readonly start: number;
  readonly end: number;
}

/** The byte spans of every field of a message, in file order (to copy fields verbatim). */
export function fieldSpans(bytes: Uint8Array, ctx: WireContext): FieldSpan[] {
  const spans: FieldSpan[] = [];
  const r = Reader.create(bytes);
  guard(ctx, r, () => {
    while (r.pos < r.len) {
      const start = r.pos;
      const tag = r.uint32();
      const number = tag >>> 3;
      if (number === 0) throw new CorruptDataError(`field number 0 in ${ctx.what}`, { file: ctx.file, offset: ctx.base + start });
      skipValue(r, tag & 7, ctx, number);
      spans.push({ number, wireType: tag & 7, start, end: r.pos });
    }
  });
  return spans;
}
