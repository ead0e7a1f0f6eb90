/**
 * Field iteration straight from a ByteSource, for the outer messages of `saved_model.pb`
 * (SavedModel, MetaGraphDef, MetaInfoDef, SavedObjectGraph) whose bulk — `graph_def`, the
 * function library, `collection_def`, `stripped_op_list`, `concrete_functions` — is skipped by
 * its length without being read. Reads go through a 64 KiB window so a small file costs one
 * read and a 2 GiB file costs a few reads around the fields we keep.
 */
import pb from 'protobufjs/minimal.js';
import { CorruptDataError, type ByteSource } from '@tfweights/core';
import { longToBigInt, WIRE } from './proto-wire.js';

const { Reader } = pb;
const WINDOW = 64 * 1024;

/** Cached window over a ByteSource; never reads outside the source (ByteSource checks ranges). */
export class WindowedSource {
  private winStart = 0;
  private win: Uint8Array = new Uint8Array(0);
  constructor(readonly source: ByteSource) {}

  get name(): string {
    return this.source.name;
  }

  /** Up to `max` bytes at `offset`, fewer only at `limit` (a view; valid until the next call). */
  async peek(offset: number, max: number, limit: number): Promise<Uint8Array> {
    const want = Math.max(0, Math.min(max, limit - offset));
    if (offset >= this.winStart && offset + want <= this.winStart + this.win.length) {
      return this.win.subarray(offset - this.winStart, offset - this.winStart + want);
    }
    const len = Math.min(this.source.size - offset, Math.max(WINDOW, want));
    this.win = await this.source.read(offset, Math.max(0, len), 'protobuf field header');
    this.winStart = offset;
    return this.win.subarray(0, want);
  }

  /** Exactly `length` bytes at `offset` (copy-free where the source allows). */
  async bytes(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (length <= WINDOW) {
      const v = await this.peek(offset, length, offset + length);
      if (v.length === length) return v.slice();
    }
    return this.source.read(offset, length, what);
  }
}

/** A field met while streaming: numbers and the position of its value in the file. */
export interface StreamedField {
  readonly number: number;
  readonly wireType: number;
  /** File offset of the value (after the length prefix for LEN fields). */
  readonly offset: number;
  /** Value length in bytes (LEN: the payload; varint: its encoded size). */
  readonly length: number;
  /** Decoded value of a varint field. */
  readonly varint?: bigint;
}

/**
 * Visit every field of the message occupying [start, end) of the file. The visitor may await
 * reads of its own; the iteration jumps over each value whatever the visitor did.
 */
export async function streamFields(
  src: WindowedSource, start: number, end: number, what: string,
  visit: (f: StreamedField) => Promise<void> | void,
): Promise<void> {
  let pos = start;
  while (pos < end) {
    const head = await src.peek(pos, 20, end);
    const r = Reader.create(head);
    let tag: number;
    let length: number;
    let varint: bigint | undefined;
    try {
      tag = r.uint32();
      const wt = tag & 7;
      const valueStart = r.pos;
      if (wt === WIRE.varint) {
        varint = longToBigInt(r.uint64(), true);
        length = r.pos - valueStart;
      } else if (wt === WIRE.len) {
        length = r.uint32();
      } else if (wt === WIRE.fixed64) {
        length = 8;
      } else if (wt === WIRE.fixed32) {
        length = 4;
      } else {
        throw new CorruptDataError(`invalid wire type ${wt} in ${what}`, { file: src.name, offset: pos, expected: 'wire type 0, 1, 2 or 5' });
      }
    } catch (err) {
      if (err instanceof CorruptDataError) throw err;
      throw new CorruptDataError(`truncated field header in ${what}`, { file: src.name, offset: pos, cause: err });
    }
    const number = tag >>> 3;
    if (number === 0) throw new CorruptDataError(`field number 0 in ${what}`, { file: src.name, offset: pos, expected: 'a field number ≥ 1' });
    const wireType = tag & 7;
    const valueOffset = wireType === WIRE.varint ? pos + r.pos - length : pos + r.pos;
    const next = wireType === WIRE.varint ? pos + r.pos : valueOffset + length;
    if (next > end) {
      throw new CorruptDataError(`field ${number} of ${what} runs past the end of its message (truncated or corrupt length)`, {
        file: src.name, offset: pos, expected: `at most ${end - valueOffset} bytes`, found: `${length} bytes`,
      });
    }
    await visit({ number, wireType, offset: valueOffset, length, ...(varint !== undefined ? { varint } : {}) });
    pos = next;
  }
}
