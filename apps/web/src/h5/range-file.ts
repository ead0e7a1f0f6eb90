/**
 * An HDF5 file at a URL, read lazily by libhdf5 in the worker: a stand-in for the Blob that
 * Emscripten's WORKERFS mounts. WORKERFS reads a file only through `size` and
 * `slice(a, b)` (then `FileReaderSync` on the slice), so `slice` answers a small real Blob
 * of those bytes, fetched by synchronous `XMLHttpRequest` with a `Range` header (allowed in
 * a worker, and libhdf5's reads are synchronous). Reads go through a block cache, bounded
 * (LRU), since libhdf5 reads headers and B-tree nodes in small, repeated pieces; large reads
 * (dataset data) are fetched as one range and not cached.
 */
import { IoError } from '@tfweights/core';

/** Cache block: small HDF5 metadata reads round up to this. */
export const RANGE_BLOCK_BYTES = 256 * 1024;
/** Most blocks kept (8 MiB). */
const MAX_CACHED_BLOCKS = 32;
/** Reads at least this large skip the cache. */
const DIRECT_READ_BYTES = 4 * RANGE_BLOCK_BYTES;

/** Where the HDF5 bytes are: `size` bytes of `url` starting at `start` (a `.keras` member is a range of the archive). */
export interface UrlRange {
  readonly url: string;
  readonly start: number;
  readonly size: number;
}

export class RangeFile {
  readonly size: number;
  private readonly cache = new Map<number, Uint8Array>();
  /** Requests made and bytes received, for the page's status and the tests. */
  readonly stats = { requests: 0, bytes: 0 };

  constructor(private readonly range: UrlRange, private readonly name: string) {
    this.size = range.size;
  }

  /** The Blob WORKERFS reads: bytes [from, to) of the file. */
  slice(from = 0, to = this.size): Blob {
    const a = Math.max(0, Math.min(from, this.size));
    const b = Math.max(a, Math.min(to, this.size));
    return new Blob([this.bytes(a, b) as Uint8Array<ArrayBuffer>]);
  }

  private bytes(a: number, b: number): Uint8Array {
    if (b - a >= DIRECT_READ_BYTES) return this.fetch(a, b);
    const out = new Uint8Array(b - a);
    const first = Math.floor(a / RANGE_BLOCK_BYTES);
    const last = Math.floor((b - 1) / RANGE_BLOCK_BYTES);
    // Missing blocks in a row are fetched as one range.
    for (let i = first; i <= last;) {
      if (this.cache.has(i)) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 <= last && !this.cache.has(j + 1)) j++;
      const from = i * RANGE_BLOCK_BYTES;
      const got = this.fetch(from, Math.min(this.size, (j + 1) * RANGE_BLOCK_BYTES));
      for (let k = i; k <= j; k++) this.remember(k, got.subarray((k - i) * RANGE_BLOCK_BYTES, (k - i + 1) * RANGE_BLOCK_BYTES));
      i = j + 1;
    }
    for (let i = first; i <= last; i++) {
      const block = this.cache.get(i)!;
      // Touch: most recently used last.
      this.cache.delete(i);
      this.cache.set(i, block);
      const start = i * RANGE_BLOCK_BYTES;
      const from = Math.max(a, start);
      const to = Math.min(b, start + block.byteLength);
      out.set(block.subarray(from - start, to - start), from - a);
    }
    return out;
  }

  private remember(i: number, block: Uint8Array): void {
    this.cache.set(i, block);
    while (this.cache.size > MAX_CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Bytes [a, b) of the file, by one synchronous ranged GET. */
  private fetch(a: number, b: number): Uint8Array {
    const from = this.range.start + a;
    const xhr = new XMLHttpRequest();
    xhr.open('GET', this.range.url, false);
    xhr.responseType = 'arraybuffer';
    xhr.setRequestHeader('Range', `bytes=${from}-${this.range.start + b - 1}`);
    try {
      xhr.send();
    } catch (cause) {
      throw new IoError('cannot read this URL from the HDF5 worker (network error or CORS)', { file: this.name, offset: a, cause });
    }
    const data = xhr.status === 206 ? new Uint8Array(xhr.response as ArrayBuffer) : undefined;
    if (!data || data.byteLength !== b - a) {
      throw new IoError(`a range request for ${b - a} bytes was answered with HTTP ${xhr.status} and ${data?.byteLength ?? 'no'} bytes (the server must honour Range)`, { file: this.name, offset: a });
    }
    this.stats.requests++;
    this.stats.bytes += data.byteLength;
    return data;
  }
}
