/**
 * The chunk pipeline: chunk boundaries and reused buffers of sourceChunks, elementwise maps
 * across chunk boundaries, checks after the last chunk, and a > 2 GiB logical size through a
 * source and sinks that never allocate it (stored zip member with its CRC patched in).
 */
import { describe, expect, it } from 'vitest';
import {
  CHUNK_BYTES, ChecksumMismatchError, checkLength, Crc32, crc32, mapElements, materialize, MemorySink, MemorySource, openZip,
  sourceChunks, verified, ZipWriter, type ByteSink, type ByteSource, type ChunkedTensor,
} from '../src/index.js';
// The hardware CRCs, as every Node process gets them.
import '../src/node/index.js';

async function all(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c.slice());
  return out;
}

async function* pieces(data: Uint8Array, sizes: number[]): AsyncIterable<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield data.subarray(at, at + n);
    at += n;
  }
}

/** A source of `size` bytes whose byte i is (i * 31) & 0xff, computed on demand (nothing stored). */
function patternSource(size: number): ByteSource {
  const fill = (offset: number, into: Uint8Array) => {
    for (let i = 0; i < into.length; i++) into[i] = ((offset + i) * 31) & 0xff;
  };
  return {
    name: '<pattern>', size,
    async read(offset, length) {
      const b = new Uint8Array(length);
      fill(offset, b);
      return b;
    },
    async readInto(offset, into) {
      // 31 is odd, so the pattern repeats every 256 bytes: fill one period and copy it along.
      fill(offset, into.subarray(0, Math.min(256, into.length)));
      for (let at = 256; at < into.length; at *= 2) into.copyWithin(at, 0, Math.min(at, into.length - at));
    },
  };
}

/** A sink that counts bytes, keeps the first `keep` and remembers patches (never holds the rest). */
class CountingSink implements ByteSink {
  position = 0;
  head: Uint8Array;
  tail = new Uint8Array(0);
  finished = false;
  aborted = false;
  constructor(readonly name: string, keep = 4096) {
    this.head = new Uint8Array(keep);
  }
  async write(bytes: Uint8Array): Promise<void> {
    if (this.position < this.head.length) this.head.set(bytes.subarray(0, this.head.length - this.position), this.position);
    this.position += bytes.byteLength;
    if (bytes.byteLength < 1 << 16) this.tail = bytes.slice();
  }
  async patch(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset + bytes.length <= this.head.length) this.head.set(bytes, offset);
  }
  async finish(): Promise<void> {
    this.finished = true;
  }
  async abort(): Promise<void> {
    this.aborted = true;
  }
}

describe('sourceChunks', () => {
  it('gives the range in chunks of at most CHUNK_BYTES, in three reused buffers, read ahead', async () => {
    const data = new Uint8Array(3 * CHUNK_BYTES + 12345).map((_, i) => (i * 7) & 0xff);
    const seen: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const c of sourceChunks(new MemorySource(data), 5, data.length - 5)) {
      buffers.add(c.buffer);
      seen.push(c.slice());
    }
    expect(seen.map((c) => c.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES, 12340]);
    expect(buffers.size).toBe(3);
    const joined = new Uint8Array(data.length - 5);
    let at = 0;
    for (const c of seen) { joined.set(c, at); at += c.length; }
    expect(Buffer.from(joined).equals(Buffer.from(data.subarray(5)))).toBe(true);
  });
  it('keeps a chunk unchanged until the chunk after the next is asked for (what a write behind needs)', async () => {
    const data = new Uint8Array(40).map((_, i) => i);
    const held: [Uint8Array, number[]][] = [];
    const it = sourceChunks(new MemorySource(data), 0, data.length, { chunkBytes: 16 })[Symbol.asyncIterator]();
    for (let r = await it.next(); !r.done; r = await it.next()) {
      // The chunk before this one is still what it was when it was handed out.
      if (held.length > 0) expect([...held[held.length - 1]![0]]).toEqual(held[held.length - 1]![1]);
      held.push([r.value, [...r.value]]);
    }
    expect(held.map(([, v]) => v.length)).toEqual([16, 16, 8]);
    // A tensor of one chunk allocates one buffer, not three.
    const one = await all(sourceChunks(new MemorySource(data), 0, 8));
    expect(one.map((c) => c.length)).toEqual([8]);
  });
  it('honours smaller chunk sizes and an empty range', async () => {
    const data = new Uint8Array(10).map((_, i) => i);
    expect((await all(sourceChunks(new MemorySource(data), 1, 9, { chunkBytes: 4 }))).map((c) => [...c])).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    expect(await all(sourceChunks(new MemorySource(data), 3, 0))).toEqual([]);
  });
});

describe('FileSource chunks', () => {
  it('positional reads and the file stream give the same bytes of a range', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { openFile } = await import('../src/node/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'tfw-chunks-'));
    try {
      const data = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 11) & 0xff);
      writeFileSync(join(dir, 'f'), data);
      const src = await openFile(join(dir, 'f'));
      const positional = Buffer.concat(await all(sourceChunks(src, 9, data.length - 20, { chunkBytes: 1 << 20 })));
      const streamed = Buffer.concat(await all(sourceChunks(src, 9, data.length - 20, { chunkBytes: 1 << 20, stream: true })));
      await src.close();
      expect(positional.equals(Buffer.from(data.subarray(9, data.length - 11)))).toBe(true);
      expect(streamed.equals(positional)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mapElements', () => {
  it('casts elements that straddle chunk boundaries', async () => {
    const values = Float32Array.from({ length: 1001 }, (_, i) => i * 0.5 - 100);
    const bytes = new Uint8Array(values.buffer);
    const out = await all(mapElements(pieces(bytes, [3, 5, 7, 1, 4096]), 4, 8, (input, output) => {
      const f = new Float32Array(input.slice().buffer);
      new Float64Array(output.buffer, output.byteOffset, f.length).set(f);
    }));
    const joined = Buffer.concat(out);
    const got = new Float64Array(joined.buffer, joined.byteOffset, joined.length / 8);
    expect([...got]).toEqual([...values]);
  });
  it('refuses data that ends inside an element', async () => {
    await expect(all(mapElements(pieces(new Uint8Array(7), [7]), 4, 4, () => undefined))).rejects.toThrow(/ends inside an element/);
  });
});

describe('checks after the last chunk', () => {
  it('verified() throws after every chunk was delivered, so the consumer never finishes', async () => {
    const got: number[] = [];
    const run = async () => {
      for await (const c of verified(pieces(new Uint8Array(10), [4]), () => undefined, () => { throw new ChecksumMismatchError('bad', {}); })) got.push(c.length);
    };
    await expect(run()).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(got).toEqual([4, 4, 2]);
  });
  it('checkLength and materialize refuse chunks that do not add up to byteLength', async () => {
    const t: ChunkedTensor = { key: 'x', name: 'x', dtype: 'float32', shape: [3], byteLength: 12, chunks: () => pieces(new Uint8Array(8), [8]) };
    await expect(materialize(t)).rejects.toThrow(/needs 12 bytes/);
    await expect(all(checkLength({ ...t, byteLength: 4 }, t.chunks()))).rejects.toThrow(/needs 4 bytes/);
  });
  it('a stored zip member from chunks is the same archive as from whole bytes', async () => {
    const data = new Uint8Array(100_000).map((_, i) => (i * 13) & 0xff);
    const whole = new MemorySink();
    const a = new ZipWriter(whole, { forceZip64: true });
    await a.addParts('a.npy', [data]);
    await a.finish();
    const streamed = new MemorySink();
    const b = new ZipWriter(streamed, { forceZip64: true });
    await b.addSized('a.npy', data.length, pieces(data, [999, 12345]));
    await b.finish();
    expect(Buffer.from(streamed.bytes()).equals(Buffer.from(whole.bytes()))).toBe(true);
    const zip = await openZip(new MemorySource(streamed.bytes()));
    expect(crc32(await zip.get('a.npy')!.bytes())).toBe(crc32(data));
  });
});

describe('a > 2 GiB tensor in chunks, never allocated', () => {
  it('streams 2.5 GiB from a source into a stored Zip64 member with its CRC patched in', async () => {
    const size = 2.5 * 2 ** 30;
    const src = patternSource(size);
    const expected = new Crc32();
    let total = 0;
    for await (const c of sourceChunks(src, 0, size)) {
      expected.update(c);
      total += c.length;
    }
    expect(total).toBe(size);
    const sink = new CountingSink('<count>');
    const zip = new ZipWriter(sink, { forceZip64: true });
    await zip.addSized('big.npy', size, sourceChunks(src, 0, size));
    await zip.finish();
    const local = new DataView(sink.head.buffer);
    expect(local.getUint32(14, true)).toBe(expected.digest());
    // Sizes above 2^31 − 1 go to the Zip64 extra field, as zipfile writes them.
    expect(local.getUint32(18, true)).toBe(0xffffffff);
    const extra = 30 + 'big.npy'.length;
    expect(local.getUint32(extra + 4, true) + local.getUint32(extra + 8, true) * 2 ** 32).toBe(size);
    expect(sink.position).toBeGreaterThan(size);
    expect(sink.finished).toBe(true);
  }, 120_000);
});
