/**
 * A ByteSource over a Blob (a browser `File`, or Node's `Blob`): each read is one
 * `blob.slice(…).arrayBuffer()`, so a multi-gigabyte file picked in a page is never read whole.
 */
import { checkRange, type ByteSource } from './byte-source.js';
import { IoError } from './errors.js';

export class BlobSource implements ByteSource {
  readonly size: number;
  /** `name` defaults to the File's name (a plain Blob has none). */
  constructor(private readonly blob: Blob, readonly name = (blob as Partial<File>).name || '<blob>') {
    this.size = blob.size;
  }

  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    let buffer: ArrayBuffer;
    try {
      buffer = await this.blob.slice(offset, offset + length).arrayBuffer();
    } catch (cause) {
      // A File whose backing file changed or vanished since it was picked fails here.
      throw new IoError(`cannot read ${what ?? 'data'} (was the file changed or removed since it was opened?)`, { file: this.name, offset, cause });
    }
    if (buffer.byteLength !== length) {
      throw new IoError('short read from the file', { file: this.name, offset, expected: `${length} bytes`, found: `${buffer.byteLength}` });
    }
    return new Uint8Array(buffer);
  }
}
