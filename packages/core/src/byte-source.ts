/**
 * ByteSource: the smallest random-access interface (compare hyparquet's AsyncBuffer).
 * Every read is checked against `size` before anything is allocated.
 */
import { sourceChunks } from './chunks.js';
import { CorruptDataError, InvalidArgumentError } from './errors.js';

export interface ByteSource {
  /** File path or URL, used in every error message. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset`. Throws CorruptDataError (naming the file,
   * the offset and `what`) when the range is not inside the source.
   */
  read(offset: number, length: number, what?: string): Promise<Uint8Array>;
  /**
   * Fill `into` with the `into.byteLength` bytes at `offset` (same checks as `read`), so a
   * streaming reader can reuse its buffers. Optional: callers fall back to `read`.
   */
  readInto?(offset: number, into: Uint8Array, what?: string): Promise<void>;
  /**
   * The bytes of [offset, offset + length) as a stream of chunks of at most `chunkBytes`
   * (same checks as `read`). Optional; sourceChunks uses it when asked (`stream: true`).
   */
  readStream?(offset: number, length: number, chunkBytes: number, what?: string): AsyncIterable<Uint8Array>;
  /** Release the underlying handle, if any. */
  close?(): Promise<void>;
}

/** Throw unless [offset, offset+length) lies inside a source of `size` bytes. */
export function checkRange(name: string, size: number, offset: number, length: number, what = 'data'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new CorruptDataError(`invalid byte range for ${what}`, { file: name, offset, expected: 'a non-negative range', found: `offset ${offset}, length ${length}` });
  }
  if (offset + length > size) {
    throw new CorruptDataError(`${what} runs past the end of the file (truncated?)`, {
      file: name, offset, expected: `${length} bytes inside ${size}`, found: `${Math.max(0, size - offset)} bytes left`,
    });
  }
}

/** A ByteSource over bytes already in memory; reads are views, not copies. */
export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array, readonly name = '<memory>') {
    this.size = bytes.byteLength;
  }
  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    return this.bytes.subarray(offset, offset + length);
  }
  async readInto(offset: number, into: Uint8Array, what?: string): Promise<void> {
    checkRange(this.name, this.size, offset, into.byteLength, what);
    into.set(this.bytes.subarray(offset, offset + into.byteLength));
  }
}

/** A window [start, start+size) of another source, with its own name (e.g. a zip member). */
export class SliceSource implements ByteSource {
  constructor(
    private readonly parent: ByteSource, private readonly start: number, readonly size: number, readonly name: string,
  ) {
    checkRange(parent.name, parent.size, start, size, name);
  }
  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    return this.parent.read(this.start + offset, length, what);
  }
  async readInto(offset: number, into: Uint8Array, what?: string): Promise<void> {
    checkRange(this.name, this.size, offset, into.byteLength, what);
    if (this.parent.readInto) await this.parent.readInto(this.start + offset, into, what);
    else into.set(await this.parent.read(this.start + offset, into.byteLength, what));
  }
  readStream(offset: number, length: number, chunkBytes: number, what?: string): AsyncIterable<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (this.parent.readStream) return this.parent.readStream(this.start + offset, length, chunkBytes, what);
    return sourceChunks(this.parent, this.start + offset, length, { chunkBytes, ...(what ? { what } : {}), stream: false });
  }
}

/** Read a whole source into memory, refusing anything above `limit` bytes. */
export async function readAll(source: ByteSource, limit = 2 ** 31 - 1): Promise<Uint8Array> {
  if (source.size > limit) {
    throw new InvalidArgumentError(`${source.name} is ${source.size} bytes, more than the ${limit} this operation reads whole`);
  }
  return source.read(0, source.size, 'whole file');
}
