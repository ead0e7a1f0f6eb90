import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySource, MemorySink } from '@tfweights/core';
import { canonicalSha256, fixture, haveFixtures, headValues, loadTruth } from '@tfweights/testkit';
import { NpyReader, NpzReader, NpzWriter } from '../src/index.js';
import { openNumpy } from '../src/node/index.js';

describe.skipIf(!haveFixtures())('real NumPy files read exactly per truth.json', () => {
  for (const folder of ['npy/npyjs', 'npy/numpy-savez']) {
    for (const entry of haveFixtures() ? loadTruth(folder) : []) {
      it(`${folder}/${entry.input}`, async () => {
        const r = await openNumpy(fixture(folder, entry.input));
        try {
          expect(r.format).toBe(entry.format);
          const listed = r.list();
          expect(listed.map((t) => t.key).sort()).toEqual(entry.tensors.map((t) => t.key).sort());
          for (const truth of entry.tensors) {
            const info = listed.find((t) => t.key === truth.key)!;
            expect(info.dtype).toBe(truth.dtype);
            expect(info.shape).toEqual(truth.shape);
            const t = await r.read(truth.key);
            expect(t.dtype).toBe(truth.dtype);
            expect(t.shape).toEqual(truth.shape);
            expect(canonicalSha256(t)).toBe(truth.sha256);
            expect(headValues(t, truth.head.length)).toEqual(truth.head);
          }
        } finally {
          await r.close();
        }
      });
    }
  }
});

describe.skipIf(!haveFixtures())('np.savez byte identity', () => {
  for (const [file, compressed] of [['py3-arr-savez.npz', false], ['py3-arr-savez-compressed.npz', true]] as const) {
    it(`rewriting ${file} gives NumPy's exact bytes`, async () => {
      const original = readFileSync(fixture('npy/numpy-savez', file));
      const r = await NpzReader.open(new MemorySource(original, file));
      const sink = new MemorySink();
      const w = new NpzWriter(sink, { compressed });
      // np.savez(x=..., foo=...) wrote x first, then foo.
      for await (const t of r.tensors()) await w.write(t);
      await w.finish();
      expect(r.list().map((t) => t.key)).toEqual(['x', 'foo']);
      expect(Buffer.from(sink.bytes()).equals(original)).toBe(true);
    });
  }

  it('single .npy files re-encode to exactly the bytes np.save wrote', async () => {
    const { npyBytes } = await import('../src/index.js');
    for (const entry of loadTruth('npy/npyjs')) {
      const original = readFileSync(fixture('npy/npyjs', entry.input));
      const r = await NpyReader.open(new MemorySource(original, entry.input));
      const t = await r.read(r.list()[0]!.key);
      expect(Buffer.from(npyBytes(t)).equals(original), entry.input).toBe(true);
    }
  });
});
