/**
 * Early writeback (src/node/early-writeback.ts): a background datasync starts each time enough
 * bytes have been written and none is in flight; a failed one is not lost (the kernel reports a
 * writeback error to one fsync only) but thrown by the next write and by the final sync; the
 * bytes of a file written through many background syncs come out whole; a file that is closed
 * waits for its sync first. And the durability sync itself: one fsync per member of an
 * AtomicFileSet, not one at the commit and another when each member is finished.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AtomicFileSet } from '../src/node/atomic.js';
import { BufferedFile } from '../src/node/buffered-file.js';
import { fileHandleProto } from './file-handle-proto.js';
import { EarlyWriteback } from '../src/node/early-writeback.js';

const dir = mkdtempSync(join(tmpdir(), 'tfw-writeback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A handle whose datasync() calls are counted and finished by hand. */
function fakeHandle() {
  const calls: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const handle = {
    datasync: () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject })),
  } as unknown as FileHandle;
  return { handle, calls };
}

const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });

describe('EarlyWriteback', () => {
  it('starts a background sync every N bytes, never two at once', async () => {
    const { handle, calls } = fakeHandle();
    const wb = new EarlyWriteback(100);
    wb.wrote(60, handle);
    expect(calls).toHaveLength(0);
    wb.wrote(60, handle);
    expect(calls).toHaveLength(1);
    wb.wrote(500, handle); // one is in flight: none more
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await wb.settle();
    wb.wrote(100, handle);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    await wb.settle();
    expect(() => wb.check()).not.toThrow();
  });

  it('keeps the error of a failed background sync and throws it on check()', async () => {
    const { handle, calls } = fakeHandle();
    const wb = new EarlyWriteback(1);
    wb.wrote(1, handle);
    calls[0]!.reject(eio());
    await wb.settle();
    expect(() => wb.check()).toThrow(/EIO/);
    expect(() => wb.check()).toThrow(/EIO/); // still there for the final sync
  });
});

describe.skipIf(process.platform !== 'linux')('BufferedFile with early writeback', () => {
  it('many chunks through many background syncs: the file holds every byte in order', async () => {
    const path = join(dir, 'chunks.bin');
    const syncs = vi.spyOn((await fileHandleProto(dir)), 'datasync');
    const f = await BufferedFile.create(path, 256 * 1024);
    const expected: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      // Large writes (straight to the file) and small ones (through the buffer), mixed.
      const chunk = new Uint8Array(i % 3 === 0 ? 300_000 : 70_000 + i).map((_, j) => (i * 31 + j) & 0xff);
      await f.write(chunk);
      if (i % 5 === 0) await f.write(Uint8Array.of(i, i, i));
      expected.push(Buffer.from(chunk));
      if (i % 5 === 0) expected.push(Buffer.of(i, i, i));
    }
    await f.sync();
    await f.close();
    expect(syncs.mock.calls.length).toBeGreaterThan(1); // background syncs did run
    const got = readFileSync(path);
    const want = Buffer.concat(expected);
    expect(got.byteLength).toBe(want.byteLength);
    expect(Buffer.compare(got, want)).toBe(0);
  });

  it('a failed background sync fails the next write and the final sync', async () => {
    vi.spyOn(await fileHandleProto(dir), 'datasync').mockRejectedValue(eio());
    const f = await BufferedFile.create(join(dir, 'eio.bin'), 1);
    await f.write(new Uint8Array(100_000)); // starts the (failing) background sync
    await new Promise((r) => setTimeout(r, 10));
    await expect(f.write(new Uint8Array(100_000))).rejects.toThrow(/EIO/);
    await expect(f.sync()).rejects.toThrow(/EIO/);
    await f.close();
  });

  it('close() waits for the background sync in flight', async () => {
    let finished = false;
    const proto = await fileHandleProto(dir);
    const real = proto.datasync;
    vi.spyOn(proto, 'datasync').mockImplementation(async function (this: FileHandle) {
      await new Promise((r) => setTimeout(r, 50));
      await real.call(this);
      finished = true;
    });
    const f = await BufferedFile.create(join(dir, 'close.bin'), 1);
    await f.write(new Uint8Array(100_000));
    await f.close();
    expect(finished).toBe(true);
  });
});

describe.skipIf(process.platform !== 'linux')('AtomicFileSet durability', () => {
  it('one fsync per member, and the members hold their bytes', async () => {
    const fsyncs = vi.spyOn(await fileHandleProto(dir), 'sync');
    const set = new AtomicFileSet();
    const data = await set.sink(join(dir, 'set', 'm.data'));
    const index = await set.sink(join(dir, 'set', 'm.index'), { last: true });
    await data.write(new Uint8Array(200_000).fill(3));
    await data.patch!(0, Uint8Array.of(9));
    await index.write(Uint8Array.of(1, 2, 3));
    await set.commit();
    expect(fsyncs).toHaveBeenCalledTimes(2);
    expect(readFileSync(join(dir, 'set', 'm.data'))[0]).toBe(9);
    expect(readFileSync(join(dir, 'set', 'm.index'))).toEqual(Buffer.of(1, 2, 3));
  });
});

