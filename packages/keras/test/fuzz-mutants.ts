/**
 * The fuzz mutators of `fuzz.test.ts`, shared with the descriptor-leak test: structure-aware
 * HDF5 mutants of Keras files and `.keras` archive mutants, from seeds written by our writers
 * (and real fixtures when present).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTensor, MemorySink, ZipWriter } from '@tfweights/core';
import { fixture, haveFixtures, mutateBytes, NASTY_INTEGERS, offsetsOf, putLE } from '@tfweights/testkit';
import { openKeras, writeKerasH5, writeKerasWeightsH5 } from '../src/node/index.js';

/** Where HDF5 structures start: signatures, attribute names, the superblock. */
const LANDMARKS = ['TREE', 'HEAP', 'SNOD', 'GCOL', 'OHDR', 'OCHK', 'BTHD', 'BTIN', 'FRHP', 'FHDB', 'FSHD', 'layer_names', 'weight_names', 'model_config', 'keras_version', 'backend', 'training_config', 'vars', 'layers'];

export interface H5Seed {
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

export function mutateH5(s: H5Seed, rand: () => number): Uint8Array {
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

export async function readEverything(path: string): Promise<void> {
  const r = await openKeras(path);
  try {
    r.list();
    for await (const t of r.tensors()) void t;
  } finally {
    await r.close();
  }
}

/** A legacy `.h5` and a Keras 3 `.weights.h5` of one small Dense layer, written into `dir`. */
export async function ownSeeds(dir: string): Promise<H5Seed[]> {
  const t = (k: string, shape: number[]): ReturnType<typeof makeTensor> => makeTensor(k, 'float32', shape, new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)).fill(7));
  const model = { layers: [{ name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: t('dense/kernel', [5, 3]) }, { name: 'bias', tensor: t('dense/bias', [3]) }] }] };
  const legacy = join(dir, 'seed-legacy.h5');
  const k3 = join(dir, 'seed.weights.h5');
  await writeKerasH5(legacy, model, { modelConfig: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 3 } }] } } });
  await writeKerasWeightsH5(k3, model);
  return [seedOf(readFileSync(legacy), [5, 3]), seedOf(readFileSync(k3), [5, 3])];
}

export function fixtureSeeds(): H5Seed[] {
  if (!haveFixtures()) return [];
  const files = ['keras-h5/hls4ml-3layer-pair/keras_3layer.h5', 'keras3/diabetes-weights-h5/model.weights.h5', 'keras-h5/keras3-legacy-churn/model.h5'];
  return files.map((f) => fixture(...f.split('/'))).filter((p) => existsSync(p)).map((p) => seedOf(readFileSync(p), [64, 32, 16, 10]));
}

/** A `.keras` mutant: which members, with what names, and how stored. */
export function kerasMutant(h5: Uint8Array, rand: () => number): Promise<Uint8Array> {
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

