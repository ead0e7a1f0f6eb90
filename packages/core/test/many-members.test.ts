/**
 * Outputs of many small pieces: an AtomicFolder of 3,000 members holds a handful of file
 * descriptors at any time (a descriptor per member met EMFILE at 20,000 `.npy` files), members
 * written again or patched after they were parked come out whole, and an AtomicFileSink's
 * buffered small writes and CRC-style patches land where they were written, before and after
 * a flush, and FileSource's cached small reads return the file's bytes in any order.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFileSink, AtomicFolder } from '../src/node/atomic.js';
import { FileSource } from '../src/node/file-source.js';

const dir = mkdtempSync(join(tmpdir(), 'tfw-many-members-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openDescriptors = () => readdirSync('/proc/self/fd').length;
const bytes = (...v: number[]) => Uint8Array.from(v);

describe.skipIf(process.platform !== 'linux')('AtomicFolder with many members', () => {
  it('3,000 members: at most a few descriptors open, every member whole after the commit', async () => {
    const out = join(dir, 'folder');
    const before = openDescriptors();
    const folder = await AtomicFolder.create(out, 'index.json');
    const sinks = [];
    let most = 0;
    for (let i = 0; i < 3000; i++) {
      const s = await folder.sink(`m${i}.bin`);
      await s.write(bytes(i & 0xff, (i >> 8) & 0xff));
      await s.write(new Uint8Array(100_000).fill(i & 0xff)); // past the small-write buffer
      sinks.push(s);
      most = Math.max(most, openDescriptors() - before);
    }
    // Written again and patched long after they were parked.
    await sinks[0]!.write(bytes(7, 7, 7));
    await sinks[1]!.patch!(0, bytes(0xaa));
    await (await folder.sink('index.json')).write(new TextEncoder().encode('{}'));
    await folder.commit();
    expect(most).toBeLessThanOrEqual(12);
    expect(openDescriptors()).toBeLessThanOrEqual(before);
    expect(readdirSync(out).length).toBe(3001);
    const m0 = readFileSync(join(out, 'm0.bin'));
    expect([m0.length, m0[0], m0[100_001], ...m0.subarray(-3)]).toEqual([100_005, 0, 0, 7, 7, 7]);
    expect([...readFileSync(join(out, 'm1.bin')).subarray(0, 3)]).toEqual([0xaa, 0, 1]);
    const m2999 = readFileSync(join(out, 'm2999.bin'));
    expect([m2999.length, m2999[0], m2999[1], m2999[50_000]]).toEqual([100_002, 2999 & 0xff, 2999 >> 8, 2999 & 0xff]);
    expect(readdirSync(dir).filter((n) => n.includes('.tfw-'))).toEqual([]);
  });

  it('members reopened by small writes are parked again: buffers stay bounded, bytes whole', async () => {
    const out = join(dir, 'reopened');
    const folder = await AtomicFolder.create(out, 'index.json');
    const sinks = [];
    for (let i = 0; i < 1500; i++) {
      const s = await folder.sink(`m${i}.bin`);
      await s.write(bytes(i & 0xff));
      sinks.push(s);
    }
    const before = process.memoryUsage().arrayBuffers;
    // Every member again, after it was parked: each small write is buffered before its file reopens.
    for (let i = 0; i < sinks.length; i++) await sinks[i]!.write(bytes(1, 2, 3));
    const grown = process.memoryUsage().arrayBuffers - before;
    await (await folder.sink('index.json')).write(new TextEncoder().encode('{}'));
    await folder.commit();
    // A 256 KiB buffer per member would be 375 MiB here.
    expect(grown).toBeLessThan(64 * 2 ** 20);
    expect([...readFileSync(join(out, 'm1499.bin'))]).toEqual([1499 & 0xff, 1, 2, 3]);
    expect([...readFileSync(join(out, 'm0.bin'))]).toEqual([0, 1, 2, 3]);
  });

  it('abort removes the temporary folder and closes every member', async () => {
    const before = openDescriptors();
    const folder = await AtomicFolder.create(join(dir, 'aborted'), 'index.json');
    for (let i = 0; i < 50; i++) await (await folder.sink(`m${i}.bin`)).write(bytes(i));
    await folder.abort();
    expect(openDescriptors()).toBeLessThanOrEqual(before);
    expect(readdirSync(dir).filter((n) => n.startsWith('.aborted') || n === 'aborted')).toEqual([]);
  });
});

describe('AtomicFileSink buffering', () => {
  it('small writes and patches inside and behind the buffer give the bytes written', async () => {
    const target = join(dir, 'buffered.bin');
    const sink = await AtomicFileSink.create(target);
    const expected: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const piece = bytes(i & 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
      await sink.write(piece);
      expected.push(...piece);
      // A zip member's CRC: patched right after its data (still buffered)…
      if (i % 1000 === 999) {
        await sink.patch(sink.position - 16, bytes(0xee));
        expected[expected.length - 16] = 0xee;
      }
    }
    // …and long after it (flushed already), and once more behind one large write.
    await sink.patch(5, bytes(0xdd, 0xdd));
    expected[5] = expected[6] = 0xdd;
    const big = new Uint8Array(70_000).fill(3);
    await sink.write(big);
    expected.push(...big);
    await sink.patch(8, bytes(0xcc));
    expected[8] = 0xcc;
    expect(sink.position).toBe(expected.length);
    await sink.finish();
    expect(Buffer.compare(readFileSync(target), Buffer.from(expected))).toBe(0);
  });
});

describe('FileSource small reads', () => {
  it('5,000 reads in random order, across block edges and up to the end, give the file bytes', async () => {
    let state = 5;
    const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32); // core cannot use testkit (it depends on core)
    const bytes = Uint8Array.from({ length: 300_001 }, () => Math.floor(rand() * 256));
    const path = join(dir, 'random.bin');
    writeFileSync(path, bytes);
    const src = await FileSource.open(path);
    try {
      for (let i = 0; i < 5000; i++) {
        const length = [1, 16, 144, 4096, 5000][i % 5]!;
        const offset = i % 7 === 0 ? bytes.length - length : Math.floor(rand() * (bytes.length - length));
        const got = await src.read(offset, length);
        expect(Buffer.compare(Buffer.from(got), Buffer.from(bytes.subarray(offset, offset + length))), `read ${offset}+${length}`).toBe(0);
      }
      // Sequential tiny reads, as 10^5 tiny tensors are read.
      for (let at = 0; at + 16 <= bytes.length; at += 16 * 97) expect([...(await src.read(at, 16))]).toEqual([...bytes.subarray(at, at + 16)]);
    } finally {
      await src.close();
    }
    await expect(src.read(0, 16)).rejects.toThrow(/read after close/);
  });
});
