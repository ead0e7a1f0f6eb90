/**
 * ByteSink: sequential writes that become visible only on finish(). The Node file sink
 * (in `@tfweights/core/node`) writes a temporary file beside the target and renames it.
 */

export interface ByteSink {
  /** Target path or label, used in error messages. */
  readonly name: string;
  /** Bytes written so far. */
  readonly position: number;
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Like write, but may return while the bytes are still being written, so the caller can
   * prepare the next ones meanwhile: `bytes` must stay unchanged until the sink's next call
   * returns, and a failed write is thrown by that call (finish() at the latest). Optional:
   * callers fall back to write (see `chunkWriter`).
   */
  writeBehind?(bytes: Uint8Array): Promise<void>;
  /**
   * Overwrite bytes already written at `offset` (e.g. a zip member's CRC, known only once its
   * data has streamed past). Optional: sinks that cannot seek leave it out.
   */
  patch?(offset: number, bytes: Uint8Array): Promise<void>;
  /** Make the output visible (rename into place). */
  finish(): Promise<void>;
  /** Drop everything written; the target is left as it was. Safe to call twice. */
  abort(): Promise<void>;
}

/** A sink that collects bytes in memory (browsers, tests). `bytes()` is valid after finish(). */
export class MemorySink implements ByteSink {
  private chunks: Uint8Array[] = [];
  private done: Uint8Array | undefined;
  position = 0;
  constructor(readonly name = '<memory>') {}
  async write(bytes: Uint8Array): Promise<void> {
    if (this.done) throw new Error(`${this.name}: write after finish`);
    this.chunks.push(bytes.slice());
    this.position += bytes.byteLength;
  }
  async patch(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.done) throw new Error(`${this.name}: patch after finish`);
    if (offset < 0 || offset + bytes.byteLength > this.position) throw new Error(`${this.name}: patch outside what was written`);
    let start = 0;
    for (const c of this.chunks) {
      const end = start + c.byteLength;
      const from = Math.max(offset, start);
      const to = Math.min(offset + bytes.byteLength, end);
      if (from < to) c.set(bytes.subarray(from - offset, to - offset), from - start);
      start = end;
    }
  }
  async finish(): Promise<void> {
    const out = new Uint8Array(this.position);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    this.chunks = [];
    this.done = out;
  }
  async abort(): Promise<void> {
    this.chunks = [];
    this.position = 0;
  }
  /** Everything written, once finished. */
  bytes(): Uint8Array {
    if (!this.done) throw new Error(`${this.name}: not finished`);
    return this.done;
  }
}
