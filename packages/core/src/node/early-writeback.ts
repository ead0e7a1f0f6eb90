/**
 * Early writeback for a file written front to back: each time another {@link WRITEBACK_BYTES}
 * have been written and no sync is in flight, an fdatasync is started in the background (libuv's
 * threads) and not awaited, so the disk writes the first gigabyte while the conversion produces
 * the next, instead of everything waiting for the final fsync. Node has no sync_file_range or
 * posix_fadvise; a datasync that nobody waits for is the nearest it offers. It is not a
 * durability step: the writer's own final sync still makes the file durable.
 *
 * The kernel reports a writeback error to one fsync of the file only, so an error of a
 * background sync is kept and thrown by the next write or the final sync.
 */
import type { FileHandle } from 'node:fs/promises';

/** Bytes written between two background syncs (numbers in the converter README). */
export const WRITEBACK_BYTES = 64 * 1024 * 1024;

export class EarlyWriteback {
  private pending: Promise<void> | undefined;
  private error: unknown;
  private since = 0;

  constructor(private readonly every = WRITEBACK_BYTES) {}

  /** `bytes` more went to `handle`: start a background sync when enough have. */
  wrote(bytes: number, handle: FileHandle): void {
    this.since += bytes;
    if (this.since < this.every || this.pending) return;
    this.since = 0;
    this.pending = handle.datasync().then(
      () => {
        this.pending = undefined;
      },
      (err: unknown) => {
        this.error ??= err;
        this.pending = undefined;
      },
    );
  }

  /** Throw the error of a background sync, if one failed. */
  check(): void {
    if (this.error !== undefined) throw this.error;
  }

  /** Wait for the background sync in flight (before the final sync, or closing the descriptor). */
  async settle(): Promise<void> {
    await this.pending;
  }
}
