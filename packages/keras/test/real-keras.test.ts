/**
 * Our Keras writers checked by real Keras 3 (JAX backend, the virtualenv of scripts/lib.sh):
 * Keras must load what we write, give the same weights and predictions as from the original
 * files, keep training, and its own save_weights output must read back with our reader.
 * Each check runs one Python process (test/python/<script>.py after common.py); every number
 * is compared exactly unless a tolerance is stated, and any Keras load warning fails the check.
 * Bugs these checks found are fixed; each test that caught one quotes what Keras said then.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesOf, makeTensor, narrow16, toFloat64, type Tensor } from '@tfweights/core';
import { fixture, haveFixtures, kerasPython, runKeras, seededRandom, tempDir } from '@tfweights/testkit';
import { createKerasWeightsH5Writer, openKeras, writeKerasArchive, writeKerasH5, writeKerasWeightsH5 } from '../src/node/index.js';
import type { KerasLayer, KerasModelWeights, KerasWeight } from '../src/index.js';

const exe = kerasPython();
const PY = join(dirname(fileURLToPath(import.meta.url)), 'python');
const tmp = tempDir('tfw-real-keras-');
afterAll(() => tmp.cleanup());
const out = (name: string): string => join(tmp.path, name);

/** An array as the Python scripts print it: numpy dtype string, shape, values as float64. */
interface Arr {
  dtype: string;
  shape: number[];
  values: number[];
}
type Dump = Record<string, Arr>;

/** Run test/python/<script> (after common.py and the given helper files) and parse its RESULT line. */
async function keras<T>(script: string, args: string[], helpers: string[] = []): Promise<T> {
  const code = ['common.py', ...helpers, script].map((f) => readFileSync(join(PY, f), 'utf8')).join('\n');
  const stdout = await runKeras(exe!, code, args);
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('RESULT:'));
  if (!line) throw new Error(`${script} printed no RESULT line:\n${stdout}`);
  const res = JSON.parse(line.slice('RESULT:'.length)) as T & { warnings: string[] };
  // Keras's load-time complaints (skipped or mismatched variables) count as failures.
  expect(res.warnings, `${script}: Keras warned`).toEqual([]);
  return res;
}

const NUMPY_DTYPE: Record<string, string> = { float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', int8: '|i1' };

function arrOf(t: Tensor): Arr {
  return { dtype: NUMPY_DTYPE[t.dtype] ?? t.dtype, shape: [...t.shape], values: Array.from(toFloat64(t)) };
}

function weightName(layer: string, tensorName: string): string {
  return tensorName.startsWith(`${layer}/`) ? tensorName.slice(layer.length + 1) : tensorName;
}

/** A file read with our reader, as the writers take it (layers in model order, optimizer optional). */
async function weightsOf(path: string, withOptimizer: boolean, config?: string): Promise<{ model: KerasModelWeights; metadata: Record<string, unknown>; order: string[] }> {
  const r = await openKeras(path, config ? { config } : {});
  try {
    const layers: KerasLayer[] = [];
    const order: string[] = [];
    for (const l of r.layers()) {
      const weights: KerasWeight[] = [];
      for (const key of l.weights) {
        const t = await r.read(key);
        weights.push({ name: weightName(l.name, t.name), tensor: t });
        order.push(key);
      }
      // `key`: the layer's group in a Keras 3 file, which the Keras 3 writers reuse.
      layers.push({ name: l.name, ...(l.className ? { className: l.className } : {}), ...(l.key ? { key: l.key } : {}), weights });
    }
    const optimizer: KerasWeight[] = [];
    if (withOptimizer) {
      // Reader names are `optimizer/<name>`; the writers take the name inside the optimizer (as groupTensorsByLayer gives it).
      for (const info of r.list().filter((t) => t.role === 'optimizer')) optimizer.push({ name: info.name.replace(/^optimizer\//, ''), tensor: await r.read(info.key) });
    }
    return { model: { layers, ...(optimizer.length > 0 ? { optimizer } : {}) }, metadata: { ...r.metadata }, order };
  } finally {
    await r.close();
  }
}

/** Our reader on a file Keras wrote must list exactly h5py's datasets with the same dtypes, shapes and values. */
async function expectReaderEqualsH5py(path: string, dump: Dump): Promise<void> {
  const r = await openKeras(path);
  try {
    expect(r.list().map((t) => t.key).sort()).toEqual(Object.keys(dump).sort());
    for (const info of r.list()) expect({ key: info.key, ...arrOf(await r.read(info.key)) }).toEqual({ key: info.key, ...dump[info.key] });
  } finally {
    await r.close();
  }
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

// ---------------------------------------------------------------------------------------------
// A model made here (no fixtures): known weights, output computed by hand; written through every
// writer, loaded, trained one step, saved by Keras and read back.

function f32(key: string, shape: number[], values: number[]): Tensor {
  return makeTensor(key, 'float32', shape, bytesOf(Float32Array.from(values)));
}
const range = (n: number, scale: number, offset: number): number[] => Array.from({ length: n }, (_, i) => i * scale + offset);

/** hidden = Dense(4, relu) on 3 inputs, out = Dense(2, no bias): dyadic values, so float32 math is exact. */
const K1 = range(12, 0.25, -1.5); // [3,4] row-major
const B1 = [0.5, -0.25, 0, 1];
const K2 = range(8, 0.5, -2); // [4,2]
const X = [[1, 2, 3], [-1, 0.5, 2], [0, 0, 0], [0.25, -2, 1]];
const handmade: KerasModelWeights = {
  layers: [
    { name: 'hidden', className: 'Dense', weights: [{ name: 'kernel', tensor: f32('hidden/kernel', [3, 4], K1) }, { name: 'bias', tensor: f32('hidden/bias', [4], B1) }] },
    { name: 'out', className: 'Dense', weights: [{ name: 'kernel', tensor: f32('out/kernel', [4, 2], K2) }] },
  ],
};
/** Keras 3 config.json for that model, written by hand (Keras fills in every other default). */
const handmadeConfig = {
  module: 'keras', class_name: 'Sequential', registered_name: null,
  config: {
    name: 'handmade', trainable: true,
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 3], dtype: 'float32', name: 'input_layer' } },
      { module: 'keras.layers', class_name: 'Dense', registered_name: null, config: { name: 'hidden', units: 4, activation: 'relu', use_bias: true }, build_config: { input_shape: [null, 3] } },
      { module: 'keras.layers', class_name: 'Dense', registered_name: null, config: { name: 'out', units: 2, activation: 'linear', use_bias: false }, build_config: { input_shape: [null, 4] } },
    ],
  },
  build_config: { input_shape: [null, 3] },
};

function handmadePrediction(): number[] {
  const y: number[] = [];
  for (const x of X) {
    const h = [0, 1, 2, 3].map((j) => Math.max(0, x[0]! * K1[j]! + x[1]! * K1[4 + j]! + x[2]! * K1[8 + j]! + B1[j]!));
    for (const k of [0, 1]) y.push(h.reduce((s, hj, j) => s + hj * K2[2 * j + k]!, 0));
  }
  return y;
}

interface Loaded {
  weights: Arr[];
  pred: Arr;
}

describe.skipIf(!exe)('real Keras 3 loads a model we made (no fixtures)', () => {
  it('.weights.h5, .keras and legacy .h5 give the hand-computed prediction, then train and save', async () => {
    const paths = {
      w: out('handmade.weights.h5'), k: out('handmade.keras'), h: out('handmade.h5'), n: out('handmade-trained.weights.h5'),
      a: out('adapter.weights.h5'), b: out('bare.keras'),
    };
    await writeKerasWeightsH5(paths.w, handmade, { modelName: 'handmade' });
    await writeKerasArchive(paths.k, handmade, { config: handmadeConfig, modelName: 'handmade', kerasVersion: '3.15.1' });
    await writeKerasH5(paths.h, handmade, { kerasVersion: '2.13.1' });
    await writeKerasArchive(paths.b, handmade); // default config: for load_weights only
    // The TensorWriter adapter, fed flat `<layer>/<weight>` tensors with the classes given aside.
    const adapter = createKerasWeightsH5Writer(paths.a, { classes: { hidden: 'Dense', out: 'Dense' } });
    for (const l of handmade.layers) for (const w of l.weights) await adapter.write(w.tensor);
    await adapter.finish();
    const res = await keras<{
      weights_h5: Loaded; archive: Loaded & { layers: [string, string][] }; legacy_h5: Loaded; adapter_h5: Loaded; bare_archive: Loaded;
      trained: { weights: Arr[]; h5py_new: Dump };
    }>('handmade.py', [paths.w, paths.k, paths.h, JSON.stringify(X), paths.n, paths.a, paths.b]);

    const expected = handmadePrediction();
    expect(expected.some((v) => v !== 0)).toBe(true);
    const wantWeights = handmade.layers.flatMap((l) => l.weights.map((w) => arrOf(w.tensor)));
    for (const [what, loaded] of Object.entries({ weights_h5: res.weights_h5, archive: res.archive, legacy_h5: res.legacy_h5, adapter_h5: res.adapter_h5, bare_archive: res.bare_archive })) {
      expect(loaded.weights, what).toEqual(wantWeights);
      expect(loaded.pred, what).toEqual({ dtype: '<f4', shape: [X.length, 2], values: expected });
    }
    expect(res.archive.layers).toEqual([['hidden', 'Dense'], ['out', 'Dense']]);

    // One Adam step moved every variable, and Keras's new file reads back with our reader.
    res.trained.weights.forEach((w, i) => expect(w.values).not.toEqual(wantWeights[i]!.values));
    await expectReaderEqualsH5py(paths.n, res.trained.h5py_new);
    const back = await weightsOf(paths.n, false);
    expect(back.model.layers.flatMap((l) => l.weights.map((w) => arrOf(w.tensor)))).toEqual(res.trained.weights);
  });
});

// ---------------------------------------------------------------------------------------------
// Many layer kinds (no fixtures).

/** Layers of test/python/many_layers.py with their weight shapes in Keras's get_weights() order. */
const MANY: [name: string, className: string, weights: [string, number[]][]][] = [
  ['tokens', 'InputLayer', []],
  ['emb', 'Embedding', [['embeddings', [10, 4]]]],
  ['conv', 'Conv1D', [['kernel', [3, 4, 5]], ['bias', [5]]]],
  ['bn', 'BatchNormalization', [['gamma', [5]], ['beta', [5]], ['moving_mean', [5]], ['moving_variance', [5]]]],
  ['lstm', 'LSTM', [['kernel', [5, 12]], ['recurrent_kernel', [3, 12]], ['bias', [12]]]],
  ['gru', 'GRU', [['kernel', [3, 6]], ['recurrent_kernel', [2, 6]], ['bias', [2, 6]]]],
  ['rnn', 'SimpleRNN', [['kernel', [2, 2]], ['recurrent_kernel', [2, 2]], ['bias', [2]]]],
  ['ln', 'LayerNormalization', [['gamma', [2]], ['beta', [2]]]],
  ['head', 'Dense', [['kernel', [2, 2]], ['bias', [2]]]],
];

describe.skipIf(!exe)('real Keras 3 loads many layer kinds we wrote (no fixtures)', () => {
  it('Embedding, Conv1D, BatchNormalization, LSTM, GRU, SimpleRNN, LayerNormalization, Dense: .weights.h5 and legacy .h5', async () => {
    const rnd = seededRandom(42);
    const model: KerasModelWeights = {
      layers: MANY.map(([name, className, ws]) => ({
        name, className,
        weights: ws.map(([w, shape]) => {
          const n = shape.reduce((a, b) => a * b, 1);
          // moving_variance must stay positive; everything else in [-1, 1).
          const values = Array.from({ length: n }, () => (w === 'moving_variance' ? 0.5 + rnd() : rnd() * 2 - 1));
          return { name: w, tensor: f32(`${name}/${w}`, shape, values) };
        }),
      })),
    };
    const paths = { w: out('many.weights.h5'), h: out('many.h5') };
    await writeKerasWeightsH5(paths.w, model, { modelName: 'functional' });
    await writeKerasH5(paths.h, model);
    const want = model.layers.flatMap((l) => l.weights.map((w) => arrOf(w.tensor)));
    const res = await keras<{ layers: [string, string, number[][]][]; pred_set_weights: Arr; weights_h5: Loaded; legacy_h5: Loaded }>(
      'many_layers.py', [paths.w, paths.h, JSON.stringify(want)]);

    expect(res.layers).toEqual(MANY.map(([name, cls, ws]) => [name, cls, ws.map(([, shape]) => shape)]));
    expect(new Set(res.pred_set_weights.values).size).toBeGreaterThan(1);
    for (const what of ['weights_h5', 'legacy_h5'] as const) {
      expect(res[what].weights, what).toEqual(want);
      expect(res[what].pred, what).toEqual(res.pred_set_weights);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 16-bit weights (no fixtures).

/** Values as half.py prints them: dtype is Keras's name (float16, bfloat16), values widened exactly. */
type Values16 = Arr;
let n16 = 0;
interface HalfFiles {
  bothWeightsH5: string;
  bothLegacy: string;
  halfWeightsH5: string;
  keras: string;
}

/**
 * Dense(4) in float16 and Dense(2) in bfloat16 (test/python/half.py), our 16-bit tensors written
 * as .weights.h5 and legacy .h5, plus a float16-only model; Keras loads each and saves its own file.
 */
async function halfModels(): Promise<{ want: Values16[]; files: HalfFiles; res: Record<string, { weights?: Values16[]; error?: string }> & { keras_saved: Values16[] } }> {
  const rnd = seededRandom(16);
  const half = (key: string, shape: number[], kind: 'float16' | 'bfloat16'): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return makeTensor(key, kind, shape, bytesOf(narrow16(Array.from({ length: n }, () => rnd() * 4 - 2), kind)));
  };
  const halfLayer: KerasLayer = { name: 'half', className: 'Dense', weights: [{ name: 'kernel', tensor: half('k1', [3, 4], 'float16') }, { name: 'bias', tensor: half('b1', [4], 'float16') }] };
  const both: KerasModelWeights = {
    layers: [halfLayer, { name: 'brain', className: 'Dense', weights: [{ name: 'kernel', tensor: half('k2', [4, 2], 'bfloat16') }, { name: 'bias', tensor: half('b2', [2], 'bfloat16') }] }],
  };
  const files: HalfFiles = { bothWeightsH5: out(`half-${n16}.weights.h5`), bothLegacy: out(`half-${n16}.h5`), halfWeightsH5: out(`half-only-${n16}.weights.h5`), keras: out(`half-keras-${n16}.weights.h5`) };
  n16++;
  await writeKerasWeightsH5(files.bothWeightsH5, both);
  await writeKerasH5(files.bothLegacy, both);
  await writeKerasWeightsH5(files.halfWeightsH5, { layers: [halfLayer] });
  const want = both.layers.flatMap((l) => l.weights.map((w) => ({ dtype: w.tensor.dtype, shape: [...w.tensor.shape], values: Array.from(toFloat64(w.tensor)) })));
  const res = await keras<Record<string, { weights?: Values16[]; error?: string }> & { keras_saved: Values16[] }>(
    'half.py', [JSON.stringify(want), files.keras, 'both', files.bothWeightsH5, 'both', files.bothLegacy, 'half', files.halfWeightsH5]);
  return { want, files, res };
}

describe.skipIf(!exe)('real Keras 3 and 16-bit weights (no fixtures)', () => {
  it('float16 loads from .weights.h5, float16 and bfloat16 from legacy .h5; Keras\'s own 16-bit file reads back bit-exactly', async () => {
    const { want, files, res } = await halfModels();
    expect(res[files.halfWeightsH5]).toEqual({ weights: want.slice(0, 2) });
    expect(res[files.bothLegacy]).toEqual({ weights: want });
    expect(res.keras_saved).toEqual(want);
    // Keras writes float16 as '<f2' and bfloat16 as opaque '|V2' with dtype="bfloat16".
    const r = await openKeras(files.keras);
    try {
      const got: Values16[] = [];
      for (const l of r.layers()) {
        for (const k of l.weights) {
          const t = await r.read(k);
          got.push({ dtype: t.dtype, shape: [...t.shape], values: Array.from(toFloat64(t)) });
        }
      }
      expect(got).toEqual(want);
    } finally {
      await r.close();
    }
  });

  // Was: "ValueError: A total of 1 objects could not be loaded. … <Dense name=brain, built=True>:
  // Can't synchronously read data (no appropriate function for conversion path)" when bfloat16
  // was float32 tagged dtype="bfloat16" (saving_lib.py H5Entry reads tagged data as bfloat16).
  it('bfloat16 tensors in our Keras 3 .weights.h5 (opaque 2-byte, as Keras writes them) load into a bfloat16 layer', async () => {
    const { want, files, res } = await halfModels();
    expect(res[files.bothWeightsH5]).toEqual({ weights: want });
  });
});

// ---------------------------------------------------------------------------------------------
// Keras-written files through our reader and writers back into Keras (no fixtures).

interface RoundTrip {
  /** Keras's get_weights() of the model it saved. */
  saved: Arr[];
  layers: string[];
  /** Keras 3 file we wrote from Keras's file (.weights.h5, or .keras with its config). */
  keras3: { weights?: Arr[]; error?: string };
  /** Legacy .h5 we wrote from Keras's file. */
  legacyH5: { weights?: Arr[]; error?: string };
}

/**
 * Keras saves each model kind of test/python/roundtrip.py as a standalone `.weights.h5` (no
 * config inside) and as a `.keras`; we read one of them and write it again (`.weights.h5`, or
 * `.keras` with the archive's config, plus a legacy `.h5`); Keras loads ours into a fresh model
 * of the same kind, or with load_model for `.keras` (errors come back as Keras's message).
 */
async function kerasRoundTrip(kinds: string[], from: 'weights.h5' | 'keras', withConfig = false): Promise<Record<string, RoundTrip>> {
  // TFW_KERAS_KEEP=<dir> keeps the files for a look with h5py.
  const dir = process.env.TFW_KERAS_KEEP ?? out(`roundtrip-${from}-${kinds.join('-')}${withConfig ? '-config' : ''}`);
  mkdirSync(dir, { recursive: true });
  const saved = await keras<Record<string, { weights: Arr[]; layers: string[] }>>('roundtrip.py', ['save', dir, ...kinds]);
  const args: string[] = [];
  const files = new Map<string, [string, string]>();
  for (const kind of kinds) {
    // withConfig: the model.to_json() Keras wrote beside the file, given to openKeras.
    const { model, metadata } = await weightsOf(join(dir, `${kind}.${from}`), false, withConfig ? join(dir, `${kind}.json`) : undefined);
    const ours: [string, string] = [join(dir, `${kind}.ours.${from}`), join(dir, `${kind}.ours.h5`)];
    if (from === 'keras') await writeKerasArchive(ours[0], model, { config: metadata.model_config });
    else await writeKerasWeightsH5(ours[0], model);
    await writeKerasH5(ours[1], model);
    files.set(kind, ours);
    args.push(kind, ours[0], kind, ours[1]);
  }
  const loaded = await keras<Record<string, { weights?: Arr[]; error?: string }>>('roundtrip.py', ['load', ...args]);
  return Object.fromEntries(kinds.map((k) => [k, {
    saved: saved[k]!.weights, layers: saved[k]!.layers, keras3: loaded[files.get(k)![0]]!, legacyH5: loaded[files.get(k)![1]]!,
  }]));
}

/** One Keras round trip shared by the tests that look at different parts of it (each costs two Keras processes). */
function shared<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

describe.skipIf(!exe)('Keras → our reader → our writers → Keras (no fixtures)', () => {
  const standalone = shared(() => kerasRoundTrip(['default_names', 'custom_names', 'mixed_classes'], 'weights.h5'));
  const structured = shared(() => kerasRoundTrip(['nested', 'nested_bn', 'bidirectional'], 'keras'));
  it('standalone .weights.h5 Keras saved: ours loads back where layer names are the keys Keras derives', async () => {
    const res = await standalone();
    const d = res.default_names!;
    expect(d.layers).toEqual(['dense', 'dense_1']);
    expect(d.keras3).toEqual({ weights: d.saved });
    expect(d.legacyH5).toEqual({ weights: d.saved });
    const m = res.mixed_classes!;
    expect(m.layers).toEqual(['embedding', 'conv1d', 'global_average_pooling1d', 'dense']);
    expect(m.keras3).toEqual({ weights: m.saved });
    // Legacy load_weights matches layers by order: fine here, both Dense layers sort in model order.
    expect(res.custom_names!.legacyH5).toEqual({ weights: res.custom_names!.saved });
  });

  it('.keras Keras saved (config inside): ours loads with load_model, and converts to legacy .h5 in model order', async () => {
    const res = await kerasRoundTrip(['custom_names', 'mixed_classes'], 'keras');
    for (const [kind, r] of Object.entries(res)) {
      expect(r.keras3, kind).toEqual({ weights: r.saved });
      expect(r.legacyH5, kind).toEqual({ weights: r.saved });
    }
  });

  // Was: "Layer 'hidden' expected 2 variables, but received 0 variables during loading": without a
  // config the layer's group (layers/dense) was lost and layers/hidden written. The reader now
  // gives each layer its `key` and the writer reuses it.
  it('a standalone .weights.h5 with custom layer names keeps its layers/<key> groups through reader → writeKerasWeightsH5', async () => {
    const c = (await standalone()).custom_names!;
    expect(c.keras3).toEqual({ weights: c.saved });
  });

  // Was: "ValueError: Weight count mismatch for layer #0 (named embedding in the current model,
  // conv1d in the save file)…": a standalone .weights.h5 holds no config, so its layers come in
  // group-key order; openKeras(path, { config }) now takes the model.json for model order.
  it('a standalone .weights.h5 of mixed layer classes converts to a legacy .h5 in model order when openKeras gets the config', async () => {
    const m = (await kerasRoundTrip(['mixed_classes'], 'weights.h5', true)).mixed_classes!;
    expect(m.legacyH5).toEqual({ weights: m.saved });
    expect(m.keras3).toEqual({ weights: m.saved });
    // Without the config the reader says its order is only the group keys', and legacy loading fails.
    expect((await standalone()).mixed_classes!.legacyH5.error).toMatch(/^ValueError: Weight count mismatch for layer #0 \(named embedding/);
    const dir = out('roundtrip-weights.h5-mixed_classes-config');
    const bare = await openKeras(join(dir, 'mixed_classes.weights.h5'));
    const withConfig = await openKeras(join(dir, 'mixed_classes.weights.h5'), { config: join(dir, 'mixed_classes.json') });
    try {
      expect(bare.metadata.layer_order).toBe('keys');
      expect(bare.layers().map((l) => l.name)).toEqual(['conv1d', 'dense', 'embedding', 'global_average_pooling1d']);
      expect(withConfig.metadata.layer_order).toBe('config');
      expect(withConfig.layers().map((l) => [l.name, l.className, l.key])).toEqual([
        ['embedding', 'Embedding', 'layers/embedding'], ['conv1d', 'Conv1D', 'layers/conv1d'],
        ['global_average_pooling1d', 'GlobalAveragePooling1D', 'layers/global_average_pooling1d'], ['dense', 'Dense', 'layers/dense']]);
    } finally {
      await bare.close();
      await withConfig.close();
    }
  });

  // Was: "Layer 'block' expected 0 variables, but received 4 variables during loading" (nested) and
  // "Layer 'bidirectional' expected 0 variables, but received 6 …": every layer's variables went
  // to one flat layers/<key>/vars group. Now each variable keeps its path inside the layer's
  // group (layers/sequential/layers/dense/vars/0, layers/bidirectional/forward_layer/cell/vars/0).
  it('a .keras with a nested model or a Bidirectional wrapper loads back after reader → writeKerasArchive', async () => {
    const res = await structured();
    for (const [kind, r] of Object.entries(res)) expect(r.keras3, kind).toEqual({ weights: r.saved });
  });

  // Was silent: forward and backward LSTM weights SWAPPED in the legacy file (sub-groups sorted
  // by path put backward_layer first). Layer weights now follow Keras's legacy order
  // (trainable then non-trainable, each in layer.weights order: forward_layer, backward_layer).
  it('a Bidirectional layer or a nested model read from .keras converts to legacy .h5 in Keras order, with Keras-like names', async () => {
    const res = await structured();
    for (const [kind, r] of Object.entries(res)) expect(r.legacyH5, kind).toEqual({ weights: r.saved });
    const r = await openKeras(out('roundtrip-keras-nested-nested_bn-bidirectional/bidirectional.keras'));
    try {
      const bi = r.layers().find((l) => l.name === 'bidirectional')!;
      const names = new Map(r.list().map((t) => [t.key, t.name]));
      expect(bi.weights.map((k) => names.get(k))).toEqual(['forward_lstm', 'backward_lstm'].flatMap((d) => ['kernel', 'recurrent_kernel', 'bias'].map((v) => `bidirectional/${d}/lstm_cell/${v}`)));
    } finally {
      await r.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 1–5. Real fixtures written by Keras 2 / Keras 3.

describe.skipIf(!exe || !haveFixtures())('real Keras 3 loads what we write from real Keras files', () => {
  const diabetes = haveFixtures() ? fixture('keras3/diabetes-weights-h5') : '';

  it('1. Keras 3 .weights.h5 (diabetes): load_weights gives h5py\'s values and the original\'s predictions', async () => {
    const original = join(diabetes, 'model.weights.h5');
    const { model, order } = await weightsOf(original, true);
    const ours = out('diabetes.weights.h5');
    await writeKerasWeightsH5(ours, model, { inputs: [original] });
    const res = await keras<{ h5py_original: Dump; weights_ours: Arr[]; pred_ours: Arr; pred_original: Arr; x: Arr }>(
      'weights_h5.py', [join(diabetes, 'model.json'), original, ours]);

    expect(order).toEqual(['dense', 'dense_1', 'dense_2'].flatMap((l) => [`layers/${l}/vars/0`, `layers/${l}/vars/1`]));
    expect(res.weights_ours).toEqual(order.map((k) => res.h5py_original[k]));
    expect(res.pred_ours).toEqual(res.pred_original);
    // The prediction really comes from those weights: a float64 forward pass agrees to 1e-6.
    const w = order.map((k) => res.h5py_original[k]!);
    const rows = res.x.shape[0]!;
    const forward: number[] = [];
    for (let r = 0; r < rows; r++) {
      let a = res.x.values.slice(r * 8, r * 8 + 8);
      for (let l = 0; l < 3; l++) {
        const k = w[2 * l]!;
        const b = w[2 * l + 1]!;
        const [n, m] = k.shape as [number, number];
        const z = Array.from({ length: m }, (_, j) => a.reduce((s, ai, i) => s + ai * k.values[i * m + j]!, b.values[j]!));
        expect(a.length).toBe(n);
        a = l < 2 ? z.map((v) => Math.max(0, v)) : z.map((v) => 1 / (1 + Math.exp(-v)));
      }
      forward.push(...a);
    }
    expect(maxAbsDiff(res.pred_ours.values, forward)).toBeLessThan(1e-6);
    expect(new Set(res.pred_ours.values).size).toBeGreaterThan(1);
  });

  it('2. .keras (student-adam): load_model gives the original\'s config, weights, Adam state and predictions', async () => {
    const original = fixture('keras3/student-adam/model.keras');
    const { model, metadata } = await weightsOf(original, true);
    const ours = out('student.keras');
    const meta = metadata.metadata_json as { keras_version: string };
    await writeKerasArchive(ours, model, { config: metadata.model_config, kerasVersion: meta.keras_version, inputs: [original] });
    const res = await keras<{
      same_config: boolean; class_ours: string; weights_ours: Arr[]; weights_original: Arr[];
      optimizer_ours: Arr[]; optimizer_original: Arr[]; pred_ours: Arr; pred_original: Arr;
    }>('archive.py', [original, ours]);

    expect(res.same_config).toBe(true);
    expect(res.class_ours).toBe('Sequential');
    expect(res.weights_ours).toEqual(res.weights_original);
    expect(res.weights_ours).toHaveLength(4);
    expect(res.optimizer_ours).toEqual(res.optimizer_original);
    expect(res.optimizer_ours[0]!.values).toEqual([1300]); // Adam iterations, MANIFEST.md
    expect(res.pred_ours).toEqual(res.pred_original);
  });

  it('3. legacy .h5 (hls4ml, tensorspace LeNet): Keras 3 load_weights and load_model accept ours', async () => {
    const hls = fixture('keras-h5/hls4ml-3layer-pair');
    const hlsOriginal = join(hls, 'KERAS_3layer_weights.h5');
    const hlsWeights = await weightsOf(hlsOriginal, false);
    const hlsOurs = out('hls.h5');
    await writeKerasH5(hlsOurs, hlsWeights.model, { kerasVersion: '2.0.0', inputs: [hlsOriginal] });
    // model.save layout (model_config + model_weights) from the Keras 2.3.1 full-model file.
    const hlsFullOriginal = join(hls, 'keras_3layer.h5');
    const hlsFull = await weightsOf(hlsFullOriginal, false);
    const hlsOursFull = out('hls-full.h5');
    await writeKerasH5(hlsOursFull, hlsFull.model, { kerasVersion: '2.3.1', modelConfig: hlsFull.metadata.model_config, inputs: [hlsFullOriginal] });
    // Keras 3.10's own legacy model.save file (training_config, Adam optimizer_weights) copied through us.
    const churnOriginal = fixture('keras-h5/keras3-legacy-churn/model.h5');
    const churn = await weightsOf(churnOriginal, true);
    const churnOurs = out('churn.h5');
    await writeKerasH5(churnOurs, churn.model, {
      kerasVersion: String(churn.metadata.keras_version), modelConfig: churn.metadata.model_config,
      trainingConfig: churn.metadata.training_config, inputs: [churnOriginal],
    });
    const tsOriginal = fixture('keras-h5/tensorspace-lenet-weights/weights.h5');
    const ts = await weightsOf(tsOriginal, false);
    const tsOurs = out('lenet.h5');
    await writeKerasH5(tsOurs, ts.model, { kerasVersion: '2.2.2', inputs: [tsOriginal] });

    interface Check { h5py_original: Dump; weights_ours: Arr[]; pred_ours: Arr; pred_original: Arr }
    interface Compiled { weights: Arr[]; optimizer: Arr[]; loss: string; pred: Arr }
    const res = await keras<{ hls: Check; hls_full: { layers: [string, string][]; weights_ours: Arr[]; pred_ours: Arr }; tensorspace: Check; churn: { ours: Compiled; original: Compiled } }>(
      'legacy_h5.py', [join(hls, 'KERAS_3layer.json'), hlsOriginal, hlsOurs, hlsOursFull, tsOriginal, tsOurs, churnOriginal, churnOurs], ['lenet.py']);

    expect(hlsWeights.order).toHaveLength(8);
    expect(res.hls.weights_ours).toEqual(hlsWeights.order.map((k) => res.hls.h5py_original[k]));
    expect(res.hls.pred_ours).toEqual(res.hls.pred_original);
    expect(res.hls_full.layers).toEqual([['input_1', 'InputLayer'], ['fc1_relu', 'Dense'], ['fc2_relu', 'Dense'], ['fc3_relu', 'Dense'], ['output_softmax', 'Dense']]);
    expect(res.hls_full.weights_ours).toEqual(res.hls.weights_ours); // MANIFEST.md [pair]: same values in both files
    expect(res.hls_full.pred_ours).toEqual(res.hls.pred_original);
    expect(ts.order).toHaveLength(10);
    expect(res.tensorspace.weights_ours).toEqual(ts.order.map((k) => res.tensorspace.h5py_original[k]));
    expect(res.tensorspace.pred_ours).toEqual(res.tensorspace.pred_original);
    expect(res.churn.ours).toEqual(res.churn.original);
    expect(res.churn.ours.weights).toHaveLength(6);
    expect(res.churn.ours.optimizer.map((a) => a.values[0])).toContain(1250); // Adam iterations, MANIFEST.md
  });

  it('4. Keras 2 → 3 migration: legacy .h5 → our .weights.h5 → Keras 3 equals Keras\'s own legacy loading', async () => {
    const cases: [kind: string, original: string][] = [
      ['config', fixture('keras-h5/hls4ml-3layer-pair/keras_3layer.h5')], // Keras 2.3.1 functional model
      ['lenet', fixture('keras-h5/tensorspace-lenet-full/mnist.h5')], // Keras 2.1.6 Sequential with Conv2D
      ['config', fixture('keras-h5/keras3-legacy-churn/model.h5')], // Keras 3.10 writing the legacy format
    ];
    const args: string[] = [];
    const orders = new Map<string, string[]>();
    for (const [i, [kind, original]] of cases.entries()) {
      const { model, order } = await weightsOf(original, false);
      const ours = out(`migrated-${i}.weights.h5`);
      await writeKerasWeightsH5(ours, model, { inputs: [original] });
      orders.set(original, order);
      args.push(kind, original, ours);
    }
    interface Check { h5py_original: Dump; weights_ours: Arr[]; weights_keras_legacy_loader: Arr[]; pred_ours: Arr; pred_keras_legacy_loader: Arr }
    const res = await keras<Record<string, Check>>('migrate.py', args, ['lenet.py']);
    for (const [, original] of cases) {
      const r = res[original]!;
      const order = orders.get(original)!;
      expect(order.length).toBeGreaterThanOrEqual(6);
      expect(r.weights_ours, original).toEqual(order.map((k) => r.h5py_original[k]));
      expect(r.weights_ours, original).toEqual(r.weights_keras_legacy_loader);
      expect(r.pred_ours, original).toEqual(r.pred_keras_legacy_loader);
    }
  });

  it('5. keeps training: our file with Adam state loads, fit moves the weights, Keras\'s new file reads back', async () => {
    const original = join(diabetes, 'model.weights.h5');
    const { model } = await weightsOf(original, true);
    const ours = out('diabetes-train.weights.h5');
    await writeKerasWeightsH5(ours, model, { inputs: [original] });
    const fresh = out('diabetes-keras-saved.weights.h5');
    const res = await keras<{ weights_before: Arr[]; optimizer_before: Arr[]; weights_after: Arr[]; iterations_after: number; loss: number; h5py_new: Dump }>(
      'train.py', [join(diabetes, 'model.json'), ours, fresh]);

    const ourWeights = model.layers.flatMap((l) => l.weights.map((w) => arrOf(w.tensor)));
    expect(res.weights_before).toEqual(ourWeights);
    // Values only: the JAX backend keeps `iterations` as int32 where the file (TF backend) has int64.
    expect(res.optimizer_before.map((a) => [a.shape, a.values])).toEqual(model.optimizer!.map((w) => [w.tensor.shape, arrOf(w.tensor).values]));
    expect(res.optimizer_before[0]!.values).toEqual([5850]); // iterations in the fixture, MANIFEST.md
    expect(res.iterations_after).toBe(5851);
    expect(Number.isFinite(res.loss)).toBe(true);
    res.weights_after.forEach((w, i) => expect(w.values, `variable ${i}`).not.toEqual(ourWeights[i]!.values));
    await expectReaderEqualsH5py(fresh, res.h5py_new);
    const back = await weightsOf(fresh, true);
    expect(back.model.layers.flatMap((l) => l.weights.map((w) => arrOf(w.tensor)))).toEqual(res.weights_after);
    expect(arrOf(back.model.optimizer![0]!.tensor).values).toEqual([5851]);
  });
});
