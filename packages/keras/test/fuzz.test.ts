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

async function ownSeeds(): Promise<H5Seed[]> {
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
  }, 600_000);
});
