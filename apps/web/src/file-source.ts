/**
 * A picked File as a ByteSource that streaming readers can read into their own buffers
 * (`readInto`), allocating nothing per read. `Blob.arrayBuffer()` (core's BlobSource.read)
 * makes a new ArrayBuffer per read, and V8 frees those late: converting a 2 GiB checkpoint
 * in 8 MiB chunks left hundreds of MiB of them waiting for a collection the page cannot ask
 * for. Here a slice's byte stream is read with a BYOB reader into a buffer of a small pool
 * (the reader transfers it and hands it back), then copied into the caller's buffer.
 */
import { BlobSource, checkRange, IoError } from '@tfweights/core';

/** Buffers kept for reuse: sourceChunks reads at most one chunk ahead. */
const POOL = 3;

export class FileSource extends BlobSource {
  private readonly pool: ArrayBuffer[] = [];

  constructor(private readonly file: Blob, name?: string) {
    super(file, name);
  }

  async readInto(offset: number, into: Uint8Array, what?: string): Promise<void> {
    checkRange(this.name, this.size, offset, into.byteLength, what);
    const length = into.byteLength;
    let reader: ReadableStreamBYOBReader;
    try {
      reader = this.file.slice(offset, offset + length).stream().getReader({ mode: 'byob' });
    } catch {
      into.set(await this.read(offset, length, what)); // a browser without byte streams for Blobs
      return;
    }
    let buf = this.take(length);
    let filled = 0;
    try {
      while (filled < length) {
        const { value, done } = await reader.read(new Uint8Array(buf, filled, length - filled));
        if (!value) throw new Error('the stream gave no buffer back');
        buf = value.buffer as ArrayBuffer;
        if (done) break;
        filled += value.byteLength;
      }
    } catch (cause) {
      throw new IoError(`cannot read ${what ?? 'data'} (was the file changed or removed since it was opened?)`, { file: this.name, offset, cause });
    } finally {
      reader.releaseLock();
    }
    if (filled !== length) throw new IoError('short read from the file', { file: this.name, offset, expected: `${length} bytes`, found: `${filled}` });
    into.set(new Uint8Array(buf, 0, length));
    if (this.pool.length < POOL) this.pool.push(buf);
  }

  /** A pooled buffer of at least `n` bytes, or a new one. */
  private take(n: number): ArrayBuffer {
    const i = this.pool.findIndex((b) => b.byteLength >= n);
    return i >= 0 ? this.pool.splice(i, 1)[0]! : new ArrayBuffer(n);
  }
}
