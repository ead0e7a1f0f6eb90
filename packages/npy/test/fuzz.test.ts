/**
 * .npy and .npz fuzzed with structure-aware mutants: the npy header dict (descr, shape,
 * fortran_order), zip records (local headers, central directory, end record), member names
 * (`../`, `__proto__`), stored and deflated members. Every run is a valid read or a typed error,
 * and no single read asks for more bytes than the file has.
 */
import { describe, expect, it } from 'vitest';
import { makeStringTensor, makeTensor, MemorySource } from '@tfweights/core';
import { fuzzCount, mutateBytes, offsetsOf, runFuzz } from '@tfweights/testkit';
import { npyBytes, npzBytes, NpyReader, NpzReader } from '../src/index.js';

interface Seed {
  name: string;
  bytes: Uint8Array;
  marks: number[];
}

const LANDMARKS = ["'descr'", "'shape'", "'fortran_order'", 'PK\x03\x04', 'PK\x01\x02', 'PK\x05\x06', 'PK\x06\x06', '.npy', '\x93NUMPY'];

function seed(name: string, bytes: Uint8Array): Seed {
  return { name, bytes, marks: LANDMARKS.flatMap((l) => offsetsOf(bytes, l)) };
}

describe('npy / npz fuzz', () => {
  it(`${fuzzCount()} mutants of .npy and .npz files end in a valid read or a typed error`, async () => {
    const f32 = makeTensor('a', 'float32', [2, 3], new Uint8Array(24).map((_, i) => i));
    const tensors = [f32, makeStringTensor('s', [2], ['x', 'yz']), makeTensor('__proto__', 'bool', [3], new Uint8Array([1, 0, 1]))];
    const seeds = [
      seed('m.npy', npyBytes(f32)),
      seed('m.npz', await npzBytes(tensors)),
      seed('c.npz', await npzBytes(tensors, { compressed: true })),
    ];
    const report = await runFuzz({
      format: 'npy/npz', seeds, seed: 3,
      mutate: (s, rand) => ({ name: s.name, bytes: mutateBytes(s.bytes, rand, rand() < 0.7 ? s.marks[Math.floor(rand() * s.marks.length)] : undefined) }),
      exercise: async (m) => {
        let biggest = 0;
        const inner = new MemorySource(m.bytes, m.name);
        const src = { name: m.name, size: inner.size, read: (o: number, l: number, w?: string) => ((biggest = Math.max(biggest, l)), inner.read(o, l, w)) };
        try {
          const r = m.name.endsWith('.npy') ? await NpyReader.open(src) : await NpzReader.open(src, { maxInflatedSize: 1 << 20 });
          for await (const t of r.tensors()) void t;
        } finally {
          expect(biggest).toBeLessThanOrEqual(m.bytes.length);
        }
      },
      check: (err) => expect(err.file, err.message).toBeDefined(),
    });
    expect(report.typed).toBeGreaterThan(report.mutants / 10);
  }, 3_600_000);
});
