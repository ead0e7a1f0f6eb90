/**
 * A file written front to back through a small buffer, so that 10^5 tiny tensors (and their
 * zip headers and CRC patches) cost a few hundred writes instead of 10^5 round trips to the
 * thread pool. It can be parked (flushed, synced and closed) and reopened on the next write,
 * which keeps the open descriptors of a folder of 10^5 members bounded.
 * `sync()` before making the file visible: park() alone does not fsync. Big outputs start the
 * disk's writeback early, while they are still being written (early-writeback.ts), and a big
 * write can run behind the caller (`writeBehind`) while it prepares the next one.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { EarlyWriteback, WRITEBACK_BYTES } from './early-writeback.js';

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
  /** The write left running by writeBehind, if any: every other call waits for it first. */
  private behind: Promise<void> | undefined;
  private readonly writeback: EarlyWriteback;
  private constructor(readonly path: string, private handle: FileHandle | undefined, writebackBytes: number) {
    this.writeback = new EarlyWriteback(writebackBytes);
  }

  /**
   * Create `path`, which must not exist yet (`wx`). Errors are fs errors, for the caller to wrap.
   * `writebackBytes`: bytes between background syncs (early-writeback.ts).
   */
  static async create(path: string, writebackBytes = WRITEBACK_BYTES): Promise<BufferedFile> {
    return new BufferedFile(path, await open(path, 'wx'), writebackBytes);
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
    await this.settleBehind();
    this.writeback.check();
    if (bytes.byteLength >= SMALL_WRITE) {
      await this.flush();
      await this.append(bytes, this.size);
      this.size += bytes.byteLength;
      return;
    }
    if (this.used + bytes.byteLength > BUFFER_BYTES) await this.flush();
    this.buffer ??= Buffer.allocUnsafe(BUFFER_BYTES);
    this.buffer.set(bytes, this.used);
    this.used += bytes.byteLength;
    this.size += bytes.byteLength;
  }

  /**
   * Like write, but a big write is left running: `bytes` must stay unchanged until the next
   * call returns, and that call throws if the write failed (with `offset` set on the error).
   * One write runs behind at a time, so memory stays what the caller holds.
   */
  async writeBehind(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength < SMALL_WRITE) return this.write(bytes);
    await this.settleBehind();
    this.writeback.check();
    await this.flush();
    const at = this.size;
    this.size += bytes.byteLength;
    const running = this.append(bytes, at);
    // Thrown by the next call; meanwhile not an unhandled rejection.
    running.catch(() => undefined);
    this.behind = running;
  }

  /** Wait for the write left running by writeBehind; throw what it threw. */
  private async settleBehind(): Promise<void> {
    const running = this.behind;
    if (!running) return;
    this.behind = undefined;
    await running;
  }

  /** Overwrite bytes already written: in the buffer when they are still there. */
  async patch(offset: number, bytes: Uint8Array): Promise<void> {
    await this.settleBehind();
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
    await this.settleBehind();
    if (this.used === 0) return;
    const at = this.size - this.used;
    const bytes = this.buffer!.subarray(0, this.used);
    this.used = 0;
    await this.append(bytes, at);
  }

  /** New bytes at the end of the file; the disk may start on them (see early-writeback.ts). */
  private async append(bytes: Uint8Array, at: number): Promise<void> {
    const handle = await this.opened();
    try {
      await writeAll(handle, bytes, at);
    } catch (cause) {
      // Where it failed, for the caller's error (a write behind fails after its call returned).
      throw Object.assign(cause as Error, { offset: at });
    }
    this.writeback.wrote(bytes.byteLength, handle);
  }

  /** Flush and fsync. */
  async sync(): Promise<void> {
    await this.flush();
    await this.writeback.settle();
    this.writeback.check();
    await (await this.opened()).sync();
  }

  /** Flush and let go of the descriptor (the next write or sync reopens it). */
  async park(): Promise<void> {
    await this.flush();
    await this.close();
  }

  /** Close without flushing (after a failure, or after park/sync). Safe to call twice. */
  async close(): Promise<void> {
    // A write still running behind must end before its descriptor closes; its failure is moot.
    await this.settleBehind().catch(() => undefined);
    const h = this.handle;
    this.handle = undefined;
    this.buffer = undefined;
    this.used = 0;
    await this.writeback.settle();
    await h?.close();
  }
}
