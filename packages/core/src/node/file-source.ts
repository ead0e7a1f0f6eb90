/** A ByteSource over a local file: positional reads, files of any size (offsets up to 2^53). */
import { constants as buffer } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { checkRange, type ByteSource } from '../byte-source.js';
import { IoError, LimitExceededError, NotThisFormatError } from '../errors.js';

/**
 * Reads up to SMALL_READ bytes are served from cached aligned blocks (10^5 tiny tensors, zip
 * headers, a diff reading one file in the other's order): at most CACHED_BLOCKS × BLOCK_BYTES
 * (2 MiB) per open file. Small blocks, so a random tiny read costs 8 KiB, not a big window.
 */
const SMALL_READ = 4 * 1024;
const BLOCK_BYTES = 8 * 1024;
const CACHED_BLOCKS = 256;

export class FileSource implements ByteSource {
  /** Cached blocks by block number, least recently used first. */
  private readonly blocks = new Map<number, Uint8Array>();
  private constructor(readonly name: string, readonly size: number, private handle: FileHandle | undefined) {}

  /** Open a file for reading; throws IoError naming the path when it cannot. */
  static async open(path: string): Promise<FileSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (cause) {
      throw new IoError(`cannot open: ${(cause as Error).message}`, { file: path, cause });
    }
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      await handle.close();
      throw new NotThisFormatError('is a directory, not a file', { file: path });
    }
    return new FileSource(path, stat.size, handle);
  }

  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (!this.handle) throw new IoError('read after close', { file: this.name, offset });
    // Uninitialised memory: every byte is overwritten below or the read throws, and skipping
    // the zero-fill is measurable on multi-GiB reads.
    // A plain Uint8Array view (not a Buffer, whose slice() does not copy).
    if (length > buffer.MAX_LENGTH) {
      throw new LimitExceededError(`${what ?? 'range'} is ${length} bytes, more than one buffer holds here (${buffer.MAX_LENGTH}); read it in chunks (conversions do)`, { file: this.name, offset });
    }
    const slab = Buffer.allocUnsafeSlow(length);
    const out = new Uint8Array(slab.buffer, slab.byteOffset, length);
    await this.readInto(offset, out, what);
    return out;
  }

  async readInto(offset: number, into: Uint8Array, what?: string): Promise<void> {
    const length = into.byteLength;
    checkRange(this.name, this.size, offset, length, what);
    if (!this.handle) throw new IoError('read after close', { file: this.name, offset });
    const b = Math.floor(offset / BLOCK_BYTES);
    if (length > 0 && length <= SMALL_READ && Math.floor((offset + length - 1) / BLOCK_BYTES) === b) {
      // One thread-pool round trip per tiny tensor dominates a file of 10^5 of them.
      into.set((await this.block(b)).subarray(offset - b * BLOCK_BYTES, offset - b * BLOCK_BYTES + length));
      return;
    }
    await this.fill(offset, into);
  }

  private async block(b: number): Promise<Uint8Array> {
    let block = this.blocks.get(b);
    if (block) {
      this.blocks.delete(b);
    } else {
      block = new Uint8Array(Math.min(BLOCK_BYTES, this.size - b * BLOCK_BYTES));
      await this.fill(b * BLOCK_BYTES, block);
      if (this.blocks.size >= CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    }
    this.blocks.set(b, block);
    return block;
  }

  private async fill(offset: number, into: Uint8Array): Promise<void> {
    const length = into.byteLength;
    let done = 0;
    // A single read may return fewer bytes (and takes at most 2^31 − 1); loop until filled.
    while (done < length) {
      const chunk = Math.min(length - done, 0x40000000);
      if (!this.handle) throw new IoError('read after close', { file: this.name, offset });
      const { bytesRead } = await this.handle.read(into, done, chunk, offset + done);
      if (bytesRead === 0) throw new IoError('file shrank while reading', { file: this.name, offset: offset + done });
      done += bytesRead;
    }
  }

  /** A file stream over the range (Node reads the next chunk while this one is used). */
  async *readStream(offset: number, length: number, chunkBytes: number, what?: string): AsyncIterable<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (!this.handle) throw new IoError('read after close', { file: this.name, offset });
    if (length === 0) return;
    const stream = this.handle.createReadStream({ start: offset, end: offset + length - 1, highWaterMark: chunkBytes, autoClose: false });
    let got = 0;
    try {
      for await (const c of stream) {
        const b = c as Buffer;
        got += b.byteLength;
        yield new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      }
    } catch (cause) {
      throw new IoError(`read failed: ${(cause as Error).message}`, { file: this.name, offset: offset + got, cause });
    } finally {
      stream.destroy();
    }
    if (got !== length) throw new IoError('file shrank while reading', { file: this.name, offset: offset + got });
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    this.blocks.clear();
    await h?.close();
  }
}

/** Open a path as a ByteSource. */
export function openFile(path: string): Promise<FileSource> {
  return FileSource.open(path);
}
