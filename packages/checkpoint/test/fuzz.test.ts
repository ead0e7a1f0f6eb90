/**
 * Hostile input: thousands of mutated bundles (bit flips, truncation, huge sizes and shapes,
 * negative dims, offsets past the end, overlong varints, unsorted keys). Every failure must be
 * a typed TfwError naming the file (and the entry, once entries are known); nothing may hang
 * or read outside the files.
 */
import { describe, expect, it } from 'vitest';
import { isTfwError, makeStringTensor, makeTensor, MemorySource, type ByteSource } from '@tfweights/core';
import { fixture, fuzzCount, haveFixtures, runFuzz } from '@tfweights/testkit';
import { openBundle } from '../src/index.js';
import { encodeEntry, encodeHeader } from '../src/bundle-proto.js';
import { TableBuilder } from '../src/sstable-write.js';
import { loadBundleFiles, writeMemoryBundle, type MemoryBundle } from './helpers.js';

/** A source that fails the test if anyone asks for bytes outside it. */
function strictSource(bytes: Uint8Array, name: string): ByteSource {
  const inner = new MemorySource(bytes, name);
  return {
    name, size: inner.size,
    read: async (o, l, w) => {
      if (l > bytes.length) throw new Error(`allocation of ${l} bytes requested from a ${bytes.length}-byte file`);
      return inner.read(o, l, w);
    },
  };
}

/** Open, list and read everything; return the error, if any (must be typed). */
async function exercise(b: MemoryBundle): Promise<unknown> {
  try {
    const r = await openBundle(strictSource(b.index, 'fuzz.index'), async (id) => {
      const s = b.shards[id];
      if (!s) throw new Error(`reader asked for shard ${id} of ${b.shards.length}`);
      return strictSource(s, `fuzz.data-${id}`);
    });
    r.list();
    for (const i of r.list()) {
      try {
        await r.read(i.key);
      } catch (err) {
        if (!isTfwError(err)) throw err;
        expect(err.file, String(err)).toBeDefined();
        expect(err.entry ?? err.offset, String(err)).toBeDefined();
      }
    }
    for await (const t of r.tensors({ verifyChecksums: false })) void t;
    return undefined;
  } catch (err) {
    if (!isTfwError(err)) throw new Error(`untyped error: ${(err as Error).stack}`);
    expect(err.file, String(err)).toBeDefined();
    return err;
  }
}

/** {@link exercise} for the fuzz harness: a typed error is thrown, not returned. */
async function throwing(b: MemoryBundle): Promise<void> {
  const err = await exercise(b);
  if (err) throw err;
}

function mutate(b: MemoryBundle, rand: () => number): MemoryBundle {
  const pickIndex = rand() < 0.8;
  const files = [b.index.slice(), ...b.shards.map((s) => s.slice())];
  const target = pickIndex ? 0 : 1 + Math.floor(rand() * b.shards.length);
  let f = files[target]!;
  const kind = Math.floor(rand() * 5);
  if (f.length === 0) return b;
  if (kind === 0 || kind === 1) {
    for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) {
      const at = Math.floor(rand() * f.length);
      f[at] = f[at]! ^ (1 << Math.floor(rand() * 8));
    }
  } else if (kind === 2) {
    f = f.subarray(0, Math.floor(rand() * f.length));
  } else if (kind === 3) {
    // Overwrite a run with 0xff (overlong varints, huge lengths).
    const at = Math.floor(rand() * f.length);
    f.fill(0xff, at, at + 1 + Math.floor(rand() * 11));
  } else {
    f[Math.floor(rand() * f.length)] = Math.floor(rand() * 256);
  }
  files[target] = f;
  return { index: files[0]!, shards: files.slice(1) };
}

async function ownBundle(): Promise<MemoryBundle> {
  return writeMemoryBundle([
    makeTensor('a', 'float32', [2, 2], new Uint8Array(16).fill(1)),
    makeTensor('b/c', 'int64', [3], new Uint8Array(24).fill(2)),
    makeStringTensor('s', [2], ['hello', 'world']),
  ], 2, {}, async (w) => {
    await w.writeSlice('p', [4], [{ start: 0, length: 2 }], makeTensor('x', 'float32', [2], new Uint8Array(8)));
    await w.writeSlice('p', [4], [{ start: 2, length: 2 }], makeTensor('x', 'float32', [2], new Uint8Array(8)));
  });
}

/** A one-entry bundle with a hand-made entry value (what a crafted .index can say). */
function crafted(entry: Uint8Array, data = new Uint8Array(16), header = encodeHeader({ numShards: 1, endianness: 'little', version: { producer: 1, minConsumer: 0, badConsumers: [] } })): MemoryBundle {
  const t = new TableBuilder();
  t.add(new Uint8Array(0), header);
  t.add(new TextEncoder().encode('x'), entry);
  return { index: t.finish(), shards: [data] };
}

describe('hostile input', () => {
  it(`survives ${fuzzCount()} random mutations of bundles made here`, async () => {
    const report = await runFuzz({ format: 'checkpoint', seeds: [await ownBundle()], seed: 42, mutate, exercise: throwing });
    expect(report.typed).toBeGreaterThan(report.mutants / 10);
  }, 3_600_000);

  it.skipIf(!haveFixtures())(`survives ${fuzzCount()} random mutations of the real fixtures`, async () => {
    const bases = [
      loadBundleFiles(fixture('checkpoint/tf2-keras-lso-2shards/ckpt'), 2),
      loadBundleFiles(fixture('checkpoint/tf1-simple/model-three-variables.ckpt'), 1),
      loadBundleFiles(fixture('savedmodel/half-plus-two-tf2/variables/variables'), 1),
      loadBundleFiles(fixture('checkpoint/tf2-ckpt-manager/ckpt-1'), 1),
    ];
    const report = await runFuzz({ format: 'checkpoint (TF-written)', seeds: bases, seed: 7, mutate, exercise: throwing });
    expect(report.typed).toBeGreaterThan(report.mutants / 10);
  }, 3_600_000);

  const cases: [string, MemoryBundle, string, string?][] = [
    ['huge shape', crafted(encodeEntry({ dtype: 'float32', shape: [2 ** 40, 2 ** 40], shardId: 0, offset: 0, size: 16, crc32c: 0 })), 'LimitExceeded'],
    ['huge declared size', crafted(encodeEntry({ dtype: 'float32', shape: [2 ** 40], shardId: 0, offset: 0, size: 2 ** 42, crc32c: 0 })), 'CorruptData', 'fuzz.data-0'],
    ['negative dim', crafted(Uint8Array.of(0x08, 0x01, 0x12, 0x0d, 0x12, 0x0b, 0x08, ...Array(9).fill(0xff), 0x01)), 'CorruptData'],
    ['offset past the end', crafted(encodeEntry({ dtype: 'float32', shape: [4], shardId: 0, offset: 100, size: 16, crc32c: 0 })), 'CorruptData', 'fuzz.data-0'],
    ['shard past the header', crafted(encodeEntry({ dtype: 'float32', shape: [4], shardId: 3, offset: 0, size: 16, crc32c: 0 })), 'CorruptData'],
    ['unknown dtype', crafted(Uint8Array.of(0x08, 0x63, 0x12, 0x00)), 'UnsupportedDtype'],
    ['overlong varint', crafted(Uint8Array.of(0x08, 0x01, 0x20, ...Array(11).fill(0x80), 0x01)), 'CorruptData'],
    ['string count beyond size', crafted(encodeEntry({ dtype: 'string', shape: [1000], shardId: 0, offset: 0, size: 16, crc32c: 0 })), 'CorruptData'],
    ['zero shards', crafted(encodeEntry({ dtype: 'float32', shape: [4], shardId: 0, offset: 0, size: 16, crc32c: 0 }), new Uint8Array(16), encodeHeader({ numShards: 0, endianness: 'little', version: { producer: 1, minConsumer: 0, badConsumers: [] } })), 'CorruptData'],
    ['future bundle version', crafted(encodeEntry({ dtype: 'float32', shape: [4], shardId: 0, offset: 0, size: 16, crc32c: 0 }), new Uint8Array(16), encodeHeader({ numShards: 1, endianness: 'little', version: { producer: 1, minConsumer: 2, badConsumers: [] } })), 'CorruptData'],
  ];
  for (const [what, bundle, code, file = 'fuzz.index'] of cases) {
    it(`refuses a crafted .index with ${what} (${bundle.index.length} bytes)`, async () => {
      const err = await exercise(bundle);
      expect(err, what).toMatchObject({ code, file });
    });
  }

  it('refuses unsorted keys and keys beyond their index entry', async () => {
    const b = await writeMemoryBundle([makeTensor('a', 'float32', [1], new Uint8Array(4)), makeTensor('b', 'float32', [1], new Uint8Array(4))]);
    const i = Buffer.from(b.index).indexOf(Buffer.from([0x00, 0x01, 0x11, 0x62]));
    expect(i).toBeGreaterThan(0);
    const bad = b.index.slice();
    bad[i + 3] = 0x30; // key 'b' → '0', now before 'a'
    const err = await openBundle(new MemorySource(bad, 'fuzz.index'), async () => new MemorySource(b.shards[0]!, 'd'), { verifyChecksums: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CorruptData', file: 'fuzz.index', message: expect.stringMatching(/ascending/) });
  });
});
