/**
 * HDF5 through libhdf5-in-wasm, fuzzed: structure-aware mutants of real Keras files (bits
 * flipped, nasty integers written, runs zeroed near the superblock, object-header and B-tree
 * signatures, heaps, attribute names such as `model_config`, and dataspace dims) must each end
 * in a valid read or a typed TfwError naming the file — never an untyped crash (libhdf5's
 * "name not defined!", `Invalid typed array length`, a wasm trap), and the module must keep
 * working after an abort. Also: `.keras` zips (config.json, metadata.json, member names, bombs).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTensor, MemorySink, ZipWriter } from '@tfweights/core';
import { fixture, fuzzCount, haveFixtures, mutateBytes, NASTY_INTEGERS, offsetsOf, putLE, runFuzz, tempDir } from '@tfweights/testkit';
import { openKeras, writeKerasH5, writeKerasWeightsH5 } from '../src/node/index.js';

const tmp = tempDir('tfw-keras-fuzz-');
afterAll(() => tmp.cleanup());

/** Where HDF5 structures start: signatures, attribute names, the superblock. */
const LANDMARKS = ['TREE', 'HEAP', 'SNOD', 'GCOL', 'OHDR', 'OCHK', 'BTHD', 'BTIN', 'FRHP', 'FHDB', 'FSHD', 'layer_names', 'weight_names', 'model_config', 'keras_version', 'backend', 'training_config', 'vars', 'layers'];

interface H5Seed {
  bytes: Uint8Array;
  marks: number[];
}

function seedOf(bytes: Uint8Array, dims: number[] = []): H5Seed {
  const marks = [0, 8, 16, 24, 40, 56];
  for (const l of LANDMARKS) marks.push(...offsetsOf(bytes, l));
  for (const d of dims) {
    const le = new Uint8Array(8);
    putLE(le, 0, 8, BigInt(d));
    marks.push(...offsetsOf(bytes, le));
  }
  return { bytes, marks };
}

function mutateH5(s: H5Seed, rand: () => number): Uint8Array {
  // Mostly near a structure; sometimes a dims field set to a nasty value; sometimes anywhere.
  const r = rand();
  const near = s.marks[Math.floor(rand() * s.marks.length)]!;
  if (r < 0.15) {
    const out = new Uint8Array(s.bytes);
    putLE(out, near, 8, NASTY_INTEGERS[Math.floor(rand() * NASTY_INTEGERS.length)]!);
    return out;
  }
  let out = mutateBytes(s.bytes, rand, r < 0.8 ? near : undefined);
  if (rand() < 0.2) out = mutateBytes(out, rand, s.marks[Math.floor(rand() * s.marks.length)]);
  return out;
}

async function readEverything(path: string): Promise<void> {
  const r = await openKeras(path);
  try {
    r.list();
    for await (const t of r.tensors()) void t;
  } finally {
    await r.close();
  }
}

let own: Promise<H5Seed[]> | undefined;
function ownSeeds(): Promise<H5Seed[]> {
  own ??= makeOwnSeeds();
  return own;
}

async function makeOwnSeeds(): Promise<H5Seed[]> {
  const t = (k: string, shape: number[]): ReturnType<typeof makeTensor> => makeTensor(k, 'float32', shape, new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)).fill(7));
  const model = { layers: [{ name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: t('dense/kernel', [5, 3]) }, { name: 'bias', tensor: t('dense/bias', [3]) }] }] };
  const legacy = join(tmp.path, 'seed-legacy.h5');
  const k3 = join(tmp.path, 'seed.weights.h5');
  await writeKerasH5(legacy, model, { modelConfig: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 3 } }] } } });
  await writeKerasWeightsH5(k3, model);
  return [seedOf(readFileSync(legacy), [5, 3]), seedOf(readFileSync(k3), [5, 3])];
}

function fixtureSeeds(): H5Seed[] {
  if (!haveFixtures()) return [];
  const files = ['keras-h5/hls4ml-3layer-pair/keras_3layer.h5', 'keras3/diabetes-weights-h5/model.weights.h5', 'keras-h5/keras3-legacy-churn/model.h5'];
  return files.map((f) => fixture(...f.split('/'))).filter((p) => existsSync(p)).map((p) => seedOf(readFileSync(p), [64, 32, 16, 10]));
}

describe('HDF5 fuzz (libhdf5 in wasm)', () => {
  it(`${fuzzCount()} structure-aware mutants of Keras HDF5 files end in a valid read or a typed error`, async () => {
    const seeds = [...(await ownSeeds()), ...fixtureSeeds()];
    const path = join(tmp.path, 'mutant.h5');
    const report = await runFuzz({
      format: 'hdf5', seeds, seed: 17, mutate: mutateH5,
      exercise: async (bytes) => {
        writeFileSync(path, bytes);
        await readEverything(path);
      },
      check: (err) => expect(err.file, err.message).toBeDefined(),
    });
    expect(report.typed).toBeGreaterThan(report.mutants / 10);
    expect(report.valid).toBeGreaterThan(0);
  }, 3_600_000);
});

/** A `.keras` mutant: which members, with what names, and how stored. */
function kerasMutant(h5: Uint8Array, rand: () => number): Promise<Uint8Array> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  const configs = [
    '{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "dense"}}]}}',
    `{"class_name": "Sequential", "config": {"layers": ${deep(pick([10, 900, 5000, 100000]))}}}`,
    '{"__proto__": {"polluted": 1}, "class_name": "Functional", "config": {"layers": [{"__proto__": {}, "class_name": "Dense"}]}}',
    '{"class_name": 7, "config": null}', '[]', 'null', '{"config": {"layers": "x"}}', '{', '\u0000',
    `{"class_name": "Sequential", "config": {"name": "${'x'.repeat(100000)}", "layers": []}}`,
  ];
  const metas = ['{"keras_version": "3.15.0", "date_saved": "2026-01-01"}', '{"keras_version": 3}', '[]', '{', `{"a": ${deep(5000)}}`];
  const members: [string, Uint8Array, boolean][] = [
    ['metadata.json', new TextEncoder().encode(pick(metas)), rand() < 0.5],
    ['config.json', new TextEncoder().encode(pick(configs)), rand() < 0.5],
    ['model.weights.h5', rand() < 0.3 ? mutateBytes(h5, rand) : h5, rand() < 0.1],
  ];
  const k = rand();
  if (k < 0.1) members.push(['model.weights.h5', mutateBytes(h5, rand), false]); // a duplicate member: the last one wins
  else if (k < 0.2) members.splice(Math.floor(rand() * members.length), 1);
  else if (k < 0.3) members.push(['assets/xxxxxxxxx', new Uint8Array(8), false]); // renamed below to ../../../x
  return (async () => {
    const sink = new MemorySink('fuzz.keras');
    const zip = new ZipWriter(sink);
    const seen = new Set<string>();
    for (const [name, data, compress] of members) {
      // ZipWriter refuses duplicates and unsafe names: write a same-length stand-in, patch it after.
      const stand = seen.has(name) ? name.replace(/^m/, 'M') : name;
      seen.add(name);
      await zip.addBytes(stand, data, { compress });
    }
    await zip.finish();
    let bytes = sink.bytes();
    const patchName = (from: string, to: string): void => {
      for (const at of offsetsOf(bytes, from)) bytes.set(new TextEncoder().encode(to), at);
    };
    patchName('Model.weights.h5', 'model.weights.h5');
    patchName('assets/xxxxxxxxx', '../../../../../x');
    if (rand() < 0.3) bytes = mutateBytes(bytes, rand, rand() < 0.5 ? bytes.length - 22 : undefined);
    return bytes;
  })();
}

describe('.keras fuzz (zip + JSON + HDF5)', () => {
  it(`${fuzzCount(1000)} mutants of .keras archives end in a valid read or a typed error`, async () => {
    const k3 = (await ownSeeds())[1]!.bytes;
    const path = join(tmp.path, 'mutant.keras');
    const mutants: Uint8Array[] = [];
    const rand = (await import('@tfweights/testkit')).seededRandom(23);
    const n = fuzzCount(1000);
    for (let i = 0; i < n; i++) mutants.push(await kerasMutant(k3, rand));
    const report = await runFuzz({
      format: '.keras', seeds: mutants, count: n, seed: 23, mutate: (m) => m,
      exercise: async (bytes) => {
        writeFileSync(path, bytes);
        await readEverything(path);
      },
      check: (err) => expect(err.file, err.message).toBeDefined(),
    });
    expect(report.typed).toBeGreaterThan(report.mutants / 10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 3_600_000);
});
