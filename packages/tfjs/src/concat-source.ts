/**
 * One ByteSource over a group's shard files in `paths` order (FORMATS.md §7.3): a weight may
 * straddle shards, so a read spanning a boundary becomes one ranged read per shard touched.
 */
import { checkRange, type ByteSource } from '@tfweights/core';

export class ConcatSource implements ByteSource {
  readonly size: number;
  private readonly starts: number[] = [];
  constructor(private readonly parts: readonly ByteSource[], readonly name: string) {
    let at = 0;
    for (const p of parts) {
      this.starts.push(at);
      at += p.size;
    }
    this.size = at;
  }

  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (length === 0) return new Uint8Array(0);
    const pieces: Uint8Array[] = [];
    let at = offset;
    const end = offset + length;
    // Binary search would matter only for thousands of shards; a linear scan is clear.
    for (let i = 0; i < this.parts.length && at < end; i++) {
      const start = this.starts[i]!;
      const part = this.parts[i]!;
      if (at >= start + part.size) continue;
      const n = Math.min(end, start + part.size) - at;
      pieces.push(await part.read(at - start, n, what));
      at += n;
    }
    if (pieces.length === 1) return pieces[0]!;
    const out = new Uint8Array(length);
    let o = 0;
    for (const p of pieces) {
      out.set(p, o);
      o += p.byteLength;
    }
    return out;
  }

  /** Fill `into` from `offset` on, one positional read per shard touched (no new buffer). */
  async readInto(offset: number, into: Uint8Array, what?: string): Promise<void> {
    checkRange(this.name, this.size, offset, into.byteLength, what);
    let at = offset;
    const end = offset + into.byteLength;
    for (let i = 0; i < this.parts.length && at < end; i++) {
      const start = this.starts[i]!;
      const part = this.parts[i]!;
      if (at >= start + part.size) continue;
      const n = Math.min(end, start + part.size) - at;
      const view = into.subarray(at - offset, at - offset + n);
      if (part.readInto) await part.readInto(at - start, view, what);
      else view.set(await part.read(at - start, n, what));
      at += n;
    }
  }

  async close(): Promise<void> {
    for (const p of this.parts) await p.close?.();
  }
}
