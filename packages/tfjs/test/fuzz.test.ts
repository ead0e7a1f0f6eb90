/**
 * tfjs model.json fuzzed at the JSON level (shapes, dtypes, byte counts, quantization, shard
 * paths with `..`, `__proto__` keys, deep nesting up to 10^5 levels) and at the byte level,
 * with shards that are short, long or missing: every run is a valid read or a typed TfwError.
 */
import { describe, expect, it } from 'vitest';
import { IoError, MemorySource } from '@tfweights/core';
import { fuzzCount, mutateBytes, runFuzz } from '@tfweights/testkit';
import { TfjsReader } from '../src/index.js';

interface Mutant {
  text: string | Uint8Array;
  shard: Uint8Array;
}

const enc = new TextEncoder();
const SEED = {
  format: 'layers-model', generatedBy: 'keras', convertedBy: 'TensorFlow.js Converter',
  modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 3 } }] } },
  weightsManifest: [{
    paths: ['group1-shard1of1.bin'],
    weights: [
      { name: 'dense/kernel', shape: [4, 3], dtype: 'float32' },
      { name: 'dense/bias', shape: [3], dtype: 'float32' },
      { name: 'q', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.01, original_dtype: 'float32' } },
      { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } },
      { name: 'i', shape: [2], dtype: 'int32' },
      { name: 'b', shape: [3], dtype: 'bool' },
    ],
  }],
};
const SHARD_BYTES = 48 + 12 + 4 + 4 + 8 + 3;

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const NASTY_VALUES: unknown[] = [
  -1, 1.5, 2 ** 40, 2 ** 53, NaN, null, 'x', [], {}, [[1]], [-1], [1.5], [2 ** 31], [2 ** 40, 2 ** 40], ['3'], true,
  Array.from({ length: 100 }, () => 2), '__proto__', '../../../../etc/passwd', 'uint8', 'float16', 'string', 'complex64',
];
const KEYS = ['name', 'shape', 'dtype', 'quantization', 'paths', 'weights', 'min', 'scale', 'group', '__proto__', 'constructor'];

function mutateJson(rand: () => number): string {
  const m = structuredClone(SEED) as Record<string, any>;
  const g = m.weightsManifest[0];
  const w = pick(rand, g.weights as Record<string, unknown>[]);
  const k = Math.floor(rand() * 10);
  if (k === 0) w.shape = pick(rand, NASTY_VALUES);
  else if (k === 1) w.dtype = pick(rand, NASTY_VALUES);
  else if (k === 2) w.quantization = pick(rand, [{ dtype: pick(rand, NASTY_VALUES), min: pick(rand, NASTY_VALUES), scale: pick(rand, NASTY_VALUES) }, { dtype: 'uint16' }, { dtype: 'float16' }, null, 3]);
  else if (k === 3) g.paths = pick(rand, [['../../../../etc/passwd'], ['/etc/passwd'], ['a/../../b'], [], ['group1-shard1of1.bin', 'group1-shard1of1.bin'], ['missing.bin'], [3], 'x', ['http://x/y']]);
  else if (k === 4) (w as Record<string, unknown>)[pick(rand, KEYS)] = pick(rand, NASTY_VALUES);
  else if (k === 5) g.weights.push(structuredClone(w)); // a duplicate name
  else if (k === 6) m.weightsManifest = pick(rand, [[], null, {}, [g, g], [{ paths: ['group1-shard1of1.bin'] }], 7]);
  else if (k === 7) delete (w as Record<string, unknown>)[pick(rand, KEYS)];
  else if (k === 8) g.weights.reverse();
  else m[pick(rand, KEYS)] = pick(rand, NASTY_VALUES);
  let text = JSON.stringify(m);
  // Splices JSON.stringify cannot make: deep nesting, literal __proto__ keys.
  const s = rand();
  if (s < 0.05) text = text.replace('"shape":[4,3]', `"shape":${deep(pick(rand, [50, 5000, 100000]))}`);
  else if (s < 0.1) text = text.replace('"modelTopology":{', `"modelTopology":{"deep":${deep(pick(rand, [900, 5000, 100000]))},`);
  else if (s < 0.15) text = text.replace('"name":"dense/bias"', '"name":"dense/bias","__proto__":{"shape":[1]}');
  else if (s < 0.2) text = text.replace('{"name":"dense/kernel"', '{"__proto__":{"name":"x"},"name":"dense/kernel"');
  return text;
}

function mutate(_: unknown, rand: () => number): Mutant {
  const r = rand();
  let shard = new Uint8Array(SHARD_BYTES).map((_, i) => i * 7);
  if (r < 0.1) shard = shard.subarray(0, Math.floor(rand() * SHARD_BYTES));
  else if (r < 0.15) shard = new Uint8Array(SHARD_BYTES + 1 + Math.floor(rand() * 64));
  if (r > 0.75) return { text: mutateBytes(enc.encode(JSON.stringify(SEED)), rand), shard };
  return { text: mutateJson(rand), shard };
}

async function exercise(m: Mutant): Promise<void> {
  const r = await TfjsReader.open(m.text, {
    name: 'fuzz/model.json',
    resolve: async (p) => {
      if (p === 'group1-shard1of1.bin') return new MemorySource(m.shard, `fuzz/${p}`);
      throw new IoError('no such shard', { file: `fuzz/${p}` });
    },
  });
  for (const info of r.list()) await r.read(info.key);
  await r.close();
}

describe('tfjs model.json fuzz', () => {
  it(`${fuzzCount()} mutants of model.json and its shard end in a valid read or a typed error`, async () => {
    const report = await runFuzz({
      format: 'tfjs model.json', seeds: [null], seed: 5, mutate, exercise,
      check: (err) => expect(err.file, err.message).toBeDefined(),
    });
    expect(report.typed).toBeGreaterThan(report.mutants / 4);
    expect(report.valid).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).shape).toBeUndefined();
  }, 3_600_000);
});
