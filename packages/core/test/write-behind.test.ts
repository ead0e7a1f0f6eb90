/**
 * Writes left running behind the caller (BufferedFile / AtomicFileSink `writeBehind`, used by
 * the writers for chunks marked `withWriteBehind`): the call returns while the write still
 * runs, the file gets the same bytes as from plain writes, a failed write is thrown by the next
 * call with the offset where it failed, and the atomic sink then leaves nothing behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { allowsWriteBehind, chunkWriter, IoError, MemorySink, MemorySource, sourceChunks, withVerifiedCrc32c, withWriteBehind, verifiedCrc32cOf, type ChunkedTensor } from '../src/index.js';
import { AtomicFileSink } from '../src/node/atomic.js';
import { BufferedFile } from '../src/node/buffered-file.js';
import { fileHandleProto } from './file-handle-proto.js';

const dir = mkdtempSync(join(tmpdir(), 'tfw-behind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());


const block = (i: number, n: number) => new Uint8Array(n).map((_, j) => (i * 31 + j) & 0xff);

describe('BufferedFile.writeBehind', () => {
  it('returns while its write still runs, and the next call waits for it', async () => {
    const proto = await fileHandleProto(dir);
    const real = proto.write;
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let landed = 0;
    vi.spyOn(proto, 'write').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      await held;
      const r = await (real as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      landed++;
      return r;
    } as typeof proto.write);
    const f = await BufferedFile.create(join(dir, 'held.bin'));
    await f.writeBehind(block(1, 100_000));
    expect(landed).toBe(0); // returned, the write still held
    expect(f.size).toBe(100_000);
    const next = f.write(block(2, 100_000));
    await new Promise((r) => setTimeout(r, 20));
    expect(landed).toBe(0); // the next call waits for the one behind
    release();
    await next;
    expect(landed).toBe(2);
    await f.sync();
    await f.close();
    expect(Buffer.compare(readFileSync(join(dir, 'held.bin')), Buffer.concat([block(1, 100_000), block(2, 100_000)]))).toBe(0);
  });

  it('the same bytes as plain writes, mixed with small writes and patches', async () => {
    const path = join(dir, 'mixed.bin');
    const f = await BufferedFile.create(path);
    const want: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      const b = block(i, i % 4 === 0 ? 300_000 : i % 4 === 1 ? 100 : 70_000 + i);
      await f.writeBehind(b);
      want.push(Buffer.from(b));
      if (i % 7 === 0) {
        await f.write(Uint8Array.of(i));
        want.push(Buffer.of(i));
      }
    }
    await f.patch(3, Uint8Array.of(9, 9));
    const all = Buffer.concat(want);
    all[3] = 9;
    all[4] = 9;
    await f.sync();
    await f.close();
    expect(Buffer.compare(readFileSync(path), all)).toBe(0);
  });
});

describe('AtomicFileSink.writeBehind', () => {
  it('a failed write behind is thrown by the next call (a small write too), names its offset, and nothing is left', async () => {
    const proto = await fileHandleProto(dir);
    const real = proto.write;
    let calls = 0;
    vi.spyOn(proto, 'write').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (real as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as typeof proto.write);
    const target = join(dir, 'full', 'out.bin');
    const sink = await AtomicFileSink.create(target);
    await sink.writeBehind(block(1, 100_000));
    await sink.writeBehind(block(2, 100_000)); // fails behind this call
    // Even a small write, which would only be buffered, reports it.
    const err = await sink.write(Uint8Array.of(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).message).toMatch(/write failed: ENOSPC/);
    expect((err as IoError).offset).toBe(100_000);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(dir, 'full')) ? readdirSync(join(dir, 'full')) : []).toEqual([]);
  });

  it('a write behind that fails last is thrown by finish(), as a write failure', async () => {
    const proto = await fileHandleProto(dir);
    vi.spyOn(proto, 'write').mockRejectedValue(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
    const target = join(dir, 'last.bin');
    const sink = await AtomicFileSink.create(target);
    await sink.writeBehind(block(1, 100_000));
    await expect(sink.finish()).rejects.toThrow(/write failed: EIO/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('last.bin'))).toEqual([]);
  });
});

describe('the write-behind mark', () => {
  const tensor = (chunks: ChunkedTensor['chunks']): ChunkedTensor => ({ key: 'k', name: 'k', dtype: 'uint8', shape: [40], byteLength: 40, chunks });
  const src = new MemorySource(new Uint8Array(40));
  const plain = () => sourceChunks(src, 0, 40, { chunkBytes: 16 });

  it('composes with the verified CRC and is dropped by a replaced chunks function', () => {
    const both = withWriteBehind(withVerifiedCrc32c(plain, 0x1234));
    expect(allowsWriteBehind(tensor(both))).toBe(true);
    expect(verifiedCrc32cOf(tensor(both))).toBe(0x1234);
    expect(verifiedCrc32cOf(tensor(withVerifiedCrc32c(withWriteBehind(plain), 7)))).toBe(7);
    expect(allowsWriteBehind(tensor(withVerifiedCrc32c(withWriteBehind(plain), 7)))).toBe(true);
    const cast = () => both();
    expect(allowsWriteBehind(tensor(cast))).toBe(false);
    expect(allowsWriteBehind(tensor(plain))).toBe(false);
  });

  it('chunkWriter writes behind only when both the chunks and the sink allow it', async () => {
    const behind = vi.fn(async () => undefined);
    const sink = Object.assign(new MemorySink(), { writeBehind: behind });
    await chunkWriter(sink, true)(new Uint8Array(4));
    await chunkWriter(sink, false)(new Uint8Array(4));
    await chunkWriter(new MemorySink(), true)(new Uint8Array(4)); // no writeBehind: plain write
    expect(behind).toHaveBeenCalledTimes(1);
    expect(sink.position).toBe(4);
  });
});
