/**
 * A file written front to back through a small buffer, so that 10^5 tiny tensors (and their
 * zip headers and CRC patches) cost a few hundred writes instead of 10^5 round trips to the
 * thread pool. It can be parked (flushed, synced and closed) and reopened on the next write,
 * which keeps the open descriptors of a folder of 10^5 members bounded.
 * `sync()` before making the file visible: park() alone does not fsync.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Writes smaller than this are gathered in the buffer; larger ones go straight to the file. */
const SMALL_WRITE = 64 * 1024;
const BUFFER_BYTES = 256 * 1024;
/** One fs write takes at most 2^31 − 1 bytes: larger tensors go in 1 GiB steps. */
const STEP = 0x40000000;

async function writeAll(handle: FileHandle, bytes: Uint8Array, at: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.byteLength - done, STEP), at + done);
    done += bytesWritten;
  }
}

export class BufferedFile {
  /** Bytes written so far (buffered ones included). */
  size = 0;
  private buffer: Buffer | undefined;
  private used = 0;
  private constructor(readonly path: string, private handle: FileHandle | undefined) {}

  /** Create `path`, which must not exist yet (`wx`). Errors are fs errors, for the caller to wrap. */
  static async create(path: string): Promise<BufferedFile> {
    return new BufferedFile(path, await open(path, 'wx'));
  }

  /** True while a descriptor is held (false once parked or closed). */
  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  private async opened(): Promise<FileHandle> {
    this.handle ??= await open(this.path, 'r+');
    return this.handle;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength >= SMALL_WRITE) {
      await this.flush();
      await writeAll(await this.opened(), bytes, this.size);
      this.size += bytes.byteLength;
      return;
    }
    if (this.used + bytes.byteLength > BUFFER_BYTES) await this.flush();
    this.buffer ??= Buffer.allocUnsafe(BUFFER_BYTES);
    this.buffer.set(bytes, this.used);
    this.used += bytes.byteLength;
    this.size += bytes.byteLength;
  }

  /** Overwrite bytes already written: in the buffer when they are still there. */
  async patch(offset: number, bytes: Uint8Array): Promise<void> {
    const bufferStart = this.size - this.used;
    if (this.buffer && offset >= bufferStart && offset + bytes.byteLength <= this.size) {
      this.buffer.set(bytes, offset - bufferStart);
      return;
    }
    if (offset + bytes.byteLength > bufferStart) await this.flush();
    await writeAll(await this.opened(), bytes, offset);
  }

  /** Write the buffered bytes out. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const at = this.size - this.used;
    const bytes = this.buffer!.subarray(0, this.used);
    this.used = 0;
    await writeAll(await this.opened(), bytes, at);
  }

  /** Flush and fsync. */
  async sync(): Promise<void> {
    await this.flush();
    await (await this.opened()).sync();
  }

  /** Flush and let go of the descriptor (the next write or sync reopens it). */
  async park(): Promise<void> {
    await this.flush();
    await this.close();
  }

  /** Close without flushing (after a failure, or after park/sync). Safe to call twice. */
  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    this.buffer = undefined;
    this.used = 0;
    await h?.close();
  }
}
