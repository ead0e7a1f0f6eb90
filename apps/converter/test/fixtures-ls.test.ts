/**
 * `ls --json` on every real fixture whose format is wired: keys, dtypes and shapes must be
 * exactly truth.json's; and `diff` of every [pair] in MANIFEST.md must report equal.
 */

import { describe, expect, it } from 'vitest';
import { fixture, fixtureFolders, haveFixtures, loadTruth } from '@tfweights/testkit';
import { defaultRegistry } from 'tfweights';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';

const registry = defaultRegistry();
/** Truth format ids → the adapter that must be able to read them. */
const wired = (format: string) => registry.get(format)?.open !== undefined;

async function cli(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io, { registry });
  return { code, out: io.stdout(), err: io.stderr() };
}

const categories = ['checkpoint', 'savedmodel', 'keras-h5', 'keras3', 'tfjs', 'npy'];
const cases = haveFixtures()
  ? categories.flatMap((c) => fixtureFolders(c)).flatMap((folder) => loadTruth(folder).map((entry) => ({ folder, entry })))
  : [];

describe.skipIf(!haveFixtures())('ls --json on the real fixtures (truth.json)', () => {
  for (const { folder, entry } of cases) {
    it.skipIf(!wired(entry.format))(`${folder} ${entry.input} (${entry.format})`, async () => {
      const path = entry.input === '.' ? fixture(folder) : fixture(folder, entry.input);
      const r = await cli('ls', path, '--json');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as { format: string; tensors: { key: string; dtype: string; shape: number[] }[] };
      expect(j.format).toBe(entry.format);
      const got = j.tensors.map((t) => ({ key: t.key, dtype: t.dtype, shape: t.shape }));
      const want = entry.tensors.map((t) => ({ key: t.key, dtype: t.dtype, shape: t.shape }));
      const byKey = (a: { key: string }, b: { key: string }) => (Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
      expect(got.sort(byKey)).toEqual(want.sort(byKey));
    });
  }
});

/** The [pair] facts of MANIFEST.md: the same weights in two files. */
const PAIRS: [string, string, string[]][] = [
  ['keras-h5/tensorspace-lenet-full/mnist.h5', 'keras-h5/tensorspace-lenet-weights/weights.h5', ['keras-h5']],
  ['keras-h5/tensorspace-lenet-full/mnist.h5', 'tfjs/tensorspace-lenet-layers/model.json', ['keras-h5', 'tfjs']],
  ['keras-h5/tensorspace-lenet-weights/weights.h5', 'tfjs/tensorspace-lenet-layers/model.json', ['keras-h5', 'tfjs']],
  ['keras-h5/hls4ml-3layer-pair/keras_3layer.h5', 'keras-h5/hls4ml-3layer-pair/KERAS_3layer_weights.h5', ['keras-h5']],
];

describe.skipIf(!haveFixtures())('diff of every [pair] in MANIFEST.md', () => {
  for (const [a, b, formats] of PAIRS) {
    it.skipIf(!formats.every(wired))(`${a} = ${b}`, async () => {
      const r = await cli('diff', fixture(...a.split('/')), fixture(...b.split('/')), '--json');
      expect(r.err).toBe('');
      const j = JSON.parse(r.out);
      expect(j.onlyA).toEqual([]);
      expect(j.onlyB).toEqual([]);
      expect(j.different).toEqual([]);
      expect(j.compared).toBeGreaterThanOrEqual(8);
      expect(r.code).toBe(0);
    });
  }
  it.skipIf(!wired('keras-h5'))('two different models differ (exit 1)', async () => {
    const r = await cli('diff', fixture('keras-h5', 'hls4ml-3layer-pair', 'keras_3layer.h5'), fixture('keras-h5', 'tensorspace-lenet-weights', 'weights.h5'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/only in A: fc1_relu\/kernel/);
  });
});
