/**
 * Building a TensorFlow SSTable exactly as tensorflow/core/lib/io/table_builder.cc and
 * block_builder.cc do with the bundle's options (FORMATS.md §2.2.5): 256 KiB blocks, restart
 * interval 16 for data blocks and 1 for the index block, no compression, an empty metaindex
 * block, shortest separators and short successors as index keys. Output is kept in memory
 * (an index holds only keys and small entry protos).
 */
import { crc32c, InvalidArgumentError, maskCrc32c } from '@tfweights/core';
import {
  BLOCK_SIZE, compareBytes, DATA_RESTART_INTERVAL, INDEX_RESTART_INTERVAL, NO_COMPRESSION, TABLE_MAGIC, type BlockHandle,
} from './sstable-format.js';
import { pushVarint } from './varint.js';

class BlockBuilder {
  private buf: number[] = [];
  private restarts: number[] = [0];
  private counter = 0;
  private last: Uint8Array = new Uint8Array(0);
  entries = 0;
  constructor(private readonly restartInterval: number) {}

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.restartInterval) {
      const n = Math.min(this.last.length, key.length);
      while (shared < n && this.last[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.buf.length);
      this.counter = 0;
    }
    pushVarint(this.buf, shared);
    pushVarint(this.buf, key.length - shared);
    pushVarint(this.buf, value.length);
    for (let i = shared; i < key.length; i++) this.buf.push(key[i]!);
    for (let i = 0; i < value.length; i++) this.buf.push(value[i]!);
    this.last = key;
    this.counter++;
    this.entries++;
  }

  sizeEstimate(): number {
    return this.buf.length + 4 * this.restarts.length + 4;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.buf.length + 4 * this.restarts.length + 4);
    out.set(this.buf, 0);
    const dv = new DataView(out.buffer);
    let at = this.buf.length;
    for (const r of this.restarts) {
      dv.setUint32(at, r, true);
      at += 4;
    }
    dv.setUint32(at, this.restarts.length, true);
    return out;
  }

  reset(): void {
    this.buf = [];
    this.restarts = [0];
    this.counter = 0;
    this.last = new Uint8Array(0);
    this.entries = 0;
  }
}

/** The smallest key k with start <= k < limit that is short (leveldb BytewiseComparator). */
export function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const min = Math.min(start.length, limit.length);
  let i = 0;
  while (i < min && start[i] === limit[i]) i++;
  if (i >= min) return start;
  const b = start[i]!;
  if (b < 0xff && b + 1 < limit[i]!) {
    const out = start.slice(0, i + 1);
    out[i] = b + 1;
    return out;
  }
  return start;
}

/** The shortest key >= `key` (leveldb BytewiseComparator::FindShortSuccessor). */
export function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i] = key[i]! + 1;
      return out;
    }
  }
  return key;
}

function encodeHandle(h: BlockHandle): Uint8Array {
  const out: number[] = [];
  pushVarint(out, h.offset);
  pushVarint(out, h.size);
  return Uint8Array.from(out);
}

/** Builds a whole table in memory; keys must be added in strictly ascending byte order. */
export class TableBuilder {
  private readonly parts: Uint8Array[] = [];
  private offset = 0;
  private readonly data = new BlockBuilder(DATA_RESTART_INTERVAL);
  private readonly index = new BlockBuilder(INDEX_RESTART_INTERVAL);
  private lastKey: Uint8Array | undefined;
  private pendingHandle: BlockHandle | undefined;
  private numEntries = 0;

  add(key: Uint8Array, value: Uint8Array): void {
    if (this.lastKey && compareBytes(this.lastKey, key) >= 0) {
      throw new InvalidArgumentError('table keys must be added in strictly ascending byte order', { entry: new TextDecoder().decode(key) });
    }
    // TF's table_builder.cc flushes before an entry of at least twice the block size.
    if (this.numEntries > 0 && key.length + value.length >= 2 * BLOCK_SIZE) this.flush();
    if (this.pendingHandle) {
      this.index.add(shortestSeparator(this.lastKey!, key), encodeHandle(this.pendingHandle));
      this.pendingHandle = undefined;
    }
    this.data.add(key, value);
    this.lastKey = key;
    this.numEntries++;
    if (this.data.sizeEstimate() >= BLOCK_SIZE) this.flush();
  }

  private flush(): void {
    if (this.data.entries === 0) return;
    this.pendingHandle = this.writeBlock(this.data.finish());
    this.data.reset();
  }

  private writeBlock(contents: Uint8Array): BlockHandle {
    const handle = { offset: this.offset, size: contents.length };
    const trailer = new Uint8Array(5);
    trailer[0] = NO_COMPRESSION;
    const crc = crc32c(trailer.subarray(0, 1), crc32c(contents));
    new DataView(trailer.buffer).setUint32(1, maskCrc32c(crc), true);
    this.parts.push(contents, trailer);
    this.offset += contents.length + 5;
    return handle;
  }

  /** Every byte of the finished table. */
  finish(): Uint8Array {
    this.flush();
    const meta = this.writeBlock(new BlockBuilder(DATA_RESTART_INTERVAL).finish());
    if (this.pendingHandle) {
      this.index.add(shortSuccessor(this.lastKey!), encodeHandle(this.pendingHandle));
      this.pendingHandle = undefined;
    }
    const idx = this.writeBlock(this.index.finish());
    const footer = new Uint8Array(48);
    const handles = [...encodeHandle(meta), ...encodeHandle(idx)];
    footer.set(handles, 0);
    footer.set(TABLE_MAGIC, 40);
    this.parts.push(footer);
    const out = new Uint8Array(this.offset + 48);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
