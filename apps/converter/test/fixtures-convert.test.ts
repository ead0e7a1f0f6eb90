/**
 * The conversions the issue requires, on the real fixtures, with outputs checked by NumPy and
 * h5py (independent readers) against truth.json, and by `diff` against the input.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '@tfweights/checkpoint/node';
import { fixture, fixtureFolders, haveFixtures, loadTruth, runPython, tempDir, type TruthTensor } from '@tfweights/testkit';
import { defaultRegistry, readableName } from 'tfweights';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';
import { inspectWithPython, numpyPython } from './helpers/python-inspect.js';

const registry = defaultRegistry();
const have = haveFixtures();
const py = have ? numpyPython() : undefined;
let tmp: { path: string; cleanup: () => void };
beforeAll(() => { tmp = tempDir('tfw-conv-'); });
afterAll(() => tmp?.cleanup());

async function cli(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io, { registry });
  return { code, out: io.stdout(), err: io.stderr() };
}
async function convertOk(...argv: string[]) {
  const r = await cli('convert', ...argv);
  if (r.code !== 0) throw new Error(`convert ${argv.join(' ')} failed: ${r.err}`);
  return r;
}
/** Input key → readable name, as the CLI names tensors in .npz/.npy outputs. */
async function namesOf(path: string): Promise<Map<string, string>> {
  const r = await registry.open(path);
  try {
    return new Map(r.list().map((t) => [t.key, readableName(t)]));
  } finally {
    await r.close();
  }
}
const out = (name: string) => join(tmp.path, name);
const CHECKPOINTS = ['checkpoint/tf1-simple/model-three-variables.ckpt', 'checkpoint/tf1-simple/model-two-variables.ckpt',
  'checkpoint/tf2-ckpt-manager/ckpt-1', 'checkpoint/tf2-ckpt-manager/ckpt-2', 'checkpoint/tf2-keras-lso-2shards/ckpt'];
const fx = (p: string) => fixture(...p.split('/'));
const truthOf = (p: string): TruthTensor[] => {
  const parts = p.split('/');
  const folder = parts.slice(0, 2).join('/');
  const input = parts.slice(2).join('/') || '.';
  return loadTruth(folder).find((e) => e.input === input)!.tensors;
};

describe.skipIf(!have)('checkpoint → checkpoint with nothing changed is byte-identical', () => {
  for (const ckpt of CHECKPOINTS) {
    it(ckpt, async () => {
      const o = out(`same-${ckpt.replace(/\//g, '_')}`);
      await convertOk(fx(ckpt), o, '--to', 'checkpoint');
      const dir = fx(ckpt.split('/').slice(0, 2).join('/'));
      const stem = ckpt.split('/').pop()!;
      const inputs = readdirSync(dir).filter((f) => f.startsWith(`${stem}.`) && !f.endsWith('.meta'));
      expect(inputs.length).toBeGreaterThanOrEqual(2);
      for (const f of inputs) {
        expect(readFileSync(`${o}${f.slice(stem.length)}`).equals(readFileSync(join(dir, f))), f).toBe(true);
      }
    });
  }
});

describe.skipIf(!have || !py)('checkpoint → .npz and → .npy folder (checked with NumPy)', () => {
  for (const ckpt of CHECKPOINTS) {
    it(ckpt, async () => {
      const base = ckpt.replace(/\//g, '_');
      await convertOk(fx(ckpt), out(`${base}.npz`));
      await convertOk(fx(ckpt), out(`${base}-npy`), '--to', 'npy');
      const names = await namesOf(fx(ckpt));
      const got = await inspectWithPython([out(`${base}.npz`), out(`${base}-npy`)]);
      const want = truthOf(ckpt).filter((t) => t.key !== '_CHECKPOINTABLE_OBJECT_GRAPH');
      for (const arrays of [got[out(`${base}.npz`)]!, got[out(`${base}-npy`)]!]) {
        expect(Object.keys(arrays).sort()).toEqual(want.map((t) => names.get(t.key)!).sort());
        for (const t of want) expect(arrays[names.get(t.key)!], t.key).toEqual({ dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
      }
    });
  }
});

describe.skipIf(!have || !py)('any format → .npz (checked with NumPy against truth.json)', () => {
  const inputs = !have ? [] : ['checkpoint', 'savedmodel', 'keras-h5', 'keras3', 'tfjs', 'npy']
    .flatMap((c) => fixtureFolders(c)).flatMap((folder) => loadTruth(folder).map((e) => ({ folder, e })));
  for (const { folder, e } of inputs) {
    it(`${folder} ${e.input}`, async () => {
      const src = e.input === '.' ? fixture(folder) : fixture(folder, e.input);
      const o = out(`any-${folder.replace(/\//g, '_')}-${e.input.replace(/[/.]/g, '_')}.npz`);
      await convertOk(src, o);
      const names = await namesOf(src);
      const arrays = (await inspectWithPython([o]))[o]!;
      const want = e.tensors.filter((t) => t.key !== '_CHECKPOINTABLE_OBJECT_GRAPH');
      expect(Object.keys(arrays).sort()).toEqual(want.map((t) => names.get(t.key)!).sort());
      for (const t of want) expect(arrays[names.get(t.key)!], t.key).toEqual({ dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
    });
  }
});

describe.skipIf(!have || !py)('SavedModel → legacy .h5, names from the SavedVariable names (checked with h5py)', () => {
  for (const sm of ['savedmodel/half-plus-two-tf1', 'savedmodel/half-plus-two-tf2', 'savedmodel/int64-multiply', 'savedmodel/tensorspace-lenet-tf1']) {
    it(sm, async () => {
      const o = out(`${sm.replace(/\//g, '_')}.h5`);
      await convertOk(fx(sm), o, '--drop-optimizer');
      const r = await registry.open(fx(sm));
      const vars = r.list().filter((t) => t.role !== 'metadata' && t.role !== 'optimizer');
      await r.close();
      const h5 = (await inspectWithPython([o]))[o]!;
      const truth = new Map(truthOf(sm).map((t) => [t.key, t]));
      const datasets = Object.keys(h5).filter((k) => !k.startsWith('@'));
      expect(datasets).toHaveLength(vars.length);
      for (const v of vars) {
        const name = readableName(v); // the SavedVariable name, e.g. `a` or `Variable_3`
        const path = datasets.find((d) => d.endsWith(`/${name}:0`));
        expect(path, `dataset for ${name}`).toBeDefined();
        const t = truth.get(v.key)!;
        expect(h5[path!]).toEqual({ dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
      }
      expect((await cli('diff', fx(sm), o)).code).toBe(0);
    });
  }
});

describe.skipIf(!have || !py)('legacy .h5 → Keras 3 .weights.h5 and back (checked with h5py)', () => {
  // Keras 2 files come back with their exact dataset paths; the legacy file Keras 3 wrote
  // (`dense/sequential/dense/kernel`) comes back in Keras 2 naming, equal by `diff`.
  for (const [h5, exactPaths] of [['keras-h5/tensorspace-lenet-full/mnist.h5', true], ['keras-h5/hls4ml-3layer-pair/KERAS_3layer_weights.h5', true], ['keras-h5/keras3-legacy-churn/model.h5', false]] as const) {
    it(h5, async () => {
      const base = h5.replace(/\//g, '_');
      const k3 = out(`${base}.weights.h5`);
      const back = out(`${base}-back.h5`);
      await convertOk(fx(h5), k3, '--drop-optimizer');
      const rep = await convertOk(k3, back, '--template', fx(h5), '--strict');
      expect(rep.err).toMatch(/template match: \d+ matched/);
      const got = await inspectWithPython([k3, back]);
      const truth = truthOf(h5);
      const weights = truth.filter((t) => !t.key.startsWith('optimizer_weights/'));
      // Keras 3 layout: layers/<snake_case class>/vars/<i>, same values.
      const k3Sets = Object.entries(got[k3]!).filter(([k]) => !k.startsWith('@'));
      expect(k3Sets.every(([k]) => /^layers\/[a-z0-9_]+\/vars\/\d+$/.test(k))).toBe(true);
      expect(k3Sets.map(([, a]) => a.sha256).sort()).toEqual(weights.map((t) => t.sha256).sort());
      // Back: the original legacy dataset paths with the original values.
      if (exactPaths) for (const t of weights) expect(got[back]![t.key], t.key).toEqual({ dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
      else expect(Object.values(got[back]!).filter((a) => 'sha256' in a).map((a) => a.sha256).sort()).toEqual(weights.map((t) => t.sha256).sort());
      expect((await cli('diff', fx(h5), k3)).code).toBe(0);
      expect((await cli('diff', fx(h5), back)).code).toBe(0);
    });
  }
});

describe.skipIf(!have)('.h5 / .keras → TF2 checkpoint with the tf.keras 2 object graph (--keras-layout tf-keras-2) Keras 2 load_weights walks', () => {
  for (const src of ['keras-h5/tensorspace-lenet-weights/weights.h5', 'keras3/student-adam/model.keras']) {
    it(src, async () => {
      const o = out(`tf2-${src.replace(/\//g, '_')}`);
      await convertOk(fx(src), o, '--to', 'checkpoint', '--drop-optimizer', '--keras-layout', 'tf-keras-2');
      const ck = await openCheckpoint(o);
      try {
        const graph = ck.objectGraph();
        expect(graph).toBeDefined();
        const nodes = graph!.nodes;
        const rootChildren = nodes[0]!.children.map((c) => c.localName);
        const layers = rootChildren.filter((n) => n.startsWith('layer_with_weights-'));
        expect(layers.length).toBeGreaterThanOrEqual(2);
        expect(layers).toEqual(layers.map((_, i) => `layer_with_weights-${i}`));
        const keys = new Set(ck.list().map((t) => t.key));
        for (const c of nodes[0]!.children.filter((x) => x.localName.startsWith('layer_with_weights-'))) {
          const layer = nodes[c.nodeId]!;
          expect(layer.children.map((x) => x.localName).sort()).toEqual(['bias', 'kernel']);
          for (const v of layer.children) {
            const attr = nodes[v.nodeId]!.attributes[0]!;
            expect(attr.name).toBe('VARIABLE_VALUE');
            expect(attr.checkpointKey).toBe(`${c.localName}/${v.localName}/.ATTRIBUTES/VARIABLE_VALUE`);
            expect(keys.has(attr.checkpointKey)).toBe(true);
            expect(attr.fullName).toMatch(new RegExp(`/${v.localName}$`));
          }
        }
      } finally {
        await ck.close();
      }
      expect((await cli('diff', fx(src), o)).code).toBe(0);
    });
  }
});

describe.skipIf(!have || !py)('checkpoint → .h5 with --template', () => {
  it('by name: a TF2 checkpoint of a Keras model back onto the model (full_name matches)', async () => {
    const ck = out('lenet-tf2');
    await convertOk(fx('keras-h5/tensorspace-lenet-weights/weights.h5'), ck, '--to', 'checkpoint', '--keras-layout', 'tf-keras-2');
    const o = out('lenet-from-ckpt.h5');
    const r = await convertOk(ck, o, '--template', fx('keras-h5/tensorspace-lenet-full/mnist.h5'), '--strict');
    expect(r.err).toMatch(/template match: 10 matched \(10 by name, 0 by order and shape\)/);
    const got = (await inspectWithPython([o]))[o]!;
    for (const t of truthOf('keras-h5/tensorspace-lenet-weights/weights.h5')) {
      expect(got[`model_weights/${t.key}`], t.key).toEqual({ dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
    }
    expect((got['@attrs'] as unknown as Record<string, unknown>).keras_version).toBe('2.1.6');
  });
  it('by order and shape: a TF1 checkpoint whose names differ from the model', async () => {
    const ck = out('lenet-tf1-renamed');
    await convertOk(fx('keras-h5/tensorspace-lenet-weights/weights.h5'), ck, '--to', 'checkpoint', '--checkpoint-style', 'tf1', '--rename', '^=net/');
    const r0 = await cli('ls', ck, '--json');
    expect(JSON.parse(r0.out).tensors.map((t: { key: string }) => t.key)).toContain('net/Conv2D_1/kernel');
    const o = out('lenet-tf1.h5');
    // Pairs made only by order and shape are not certain: refused with the report unless asked for.
    const refused = await cli('convert', ck, o, '--template', fx('keras-h5/tensorspace-lenet-full/mnist.h5'), '--strict');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('~ net/Conv2D_1/kernel -> Conv2D_1/kernel [5, 5, 1, 6] (by order and shape)');
    expect(refused.err).toMatch(/template match is not certain: 10 tensor\(s\) paired only by order and shape.*--allow-uncertain-match/);
    expect(existsSync(o)).toBe(false);
    const r = await convertOk(ck, o, '--template', fx('keras-h5/tensorspace-lenet-full/mnist.h5'), '--strict', '--allow-uncertain-match');
    expect(r.err).toMatch(/template match: 10 matched \(0 by name, 10 by order and shape\)/);
    expect(r.err).toContain('~ net/Conv2D_1/kernel -> Conv2D_1/kernel [5, 5, 1, 6] (by order and shape)');
    const got = (await inspectWithPython([o]))[o]!;
    for (const t of truthOf('keras-h5/tensorspace-lenet-weights/weights.h5')) {
      expect(got[`model_weights/${t.key}`], t.key).toEqual({ dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
    }
  });
  it('a different architecture is reported, and --strict refuses it', async () => {
    const ck = fx('savedmodel/tensorspace-lenet-tf1/variables/variables');
    const o = out('lenet-other.h5');
    const r = await cli('convert', ck, o, '--template', fx('keras-h5/tensorspace-lenet-weights/weights.h5'), '--drop-optimizer', '--strict');
    expect(r.code).toBe(2);
    expect(r.err).toContain('- Variable_4 [400, 120]: no template tensor of this name or shape (not written)');
    expect(r.err).toContain('+ Dense_1/kernel [256, 120]: in the template, no source tensor fills it');
    expect(readdirSync(tmp.path).some((f) => f.includes('lenet-other'))).toBe(false);
  });
  it('--strict fails, writing nothing, when the template has tensors nothing fills', async () => {
    const o = out('strict-fail.h5');
    const r = await cli('convert', fx('checkpoint/tf1-simple/model-three-variables.ckpt'), o, '--template', fx('keras-h5/tensorspace-lenet-weights/weights.h5'), '--strict');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tfweights: .*weights\.h5: --strict: template match left \d+ source and \d+ template tensor\(s\) unmatched/);
    expect(readdirSync(tmp.path).some((f) => f.includes('strict-fail'))).toBe(false);
  });
});

describe.skipIf(!have)('round trips through every other writer report equal', () => {
  const src = 'keras-h5/tensorspace-lenet-full/mnist.h5';
  it.each([
    ['lenet.safetensors', []], ['lenet-tfjs/model.json', ['--drop-optimizer']], ['lenet-tfjs-dir', ['--to', 'tfjs', '--drop-optimizer']],
    ['lenet-npy/', []], ['lenet.keras', ['--drop-optimizer']], ['lenet-copy.h5', []],
  ] as const)('%s', async (name, extra) => {
    const o = out(name);
    await convertOk(fx(src), o, ...extra);
    const d = await cli('diff', fx(src), o, '--json');
    expect(d.err).toBe('');
    const j = JSON.parse(d.out);
    expect(j.onlyA).toEqual([]);
    expect(j.onlyB).toEqual([]);
    expect(j.different).toEqual([]);
    expect(j.compared).toBeGreaterThanOrEqual(10);
    expect(d.code).toBe(0);
  });
  it('TF.js refuses int64 with a hint at --cast', async () => {
    const r = await cli('convert', fx(src), out('tfjs-int64'), '--to', 'tfjs');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tfweights: .*tfjs-int64: TF\.js cannot store int64 \(tensor 'optimizer\/Adam\/iterations'\); pass --cast int64:int32/);
    expect((await cli('convert', fx(src), out('tfjs-cast'), '--to', 'tfjs', '--cast', 'int64:int32')).code).toBe(0);
  });
  it('one tensor to a .npy file (checked with NumPy); several are refused', async () => {
    const o = out('one.npy');
    await convertOk(fx(src), o, '--include', 'Softmax/bias');
    if (py) {
      const t = truthOf('keras-h5/tensorspace-lenet-weights/weights.h5').find((x) => x.key === 'Softmax/Softmax/bias:0')!;
      const r = JSON.parse(await runNpy(o));
      expect(r).toEqual({ dtype: 'float32', shape: [10], sha256: t.sha256 });
    }
    const many = await cli('convert', fx(src), out('many.npy'));
    expect(many.code).toBe(2);
    expect(many.err).toMatch(/a \.npy file holds one tensor, this conversion has 41/);
  });
});

async function runNpy(path: string): Promise<string> {
  return await runPython(py!, "import sys,json,hashlib,numpy as np\na=np.load(sys.argv[1])\nprint(json.dumps({'dtype':a.dtype.name,'shape':list(a.shape),'sha256':hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}))", [path]);
}

describe.skipIf(!have)('→ SavedModel with --template', () => {
  it('weights from an .h5 back into the SavedModel they came from: same variables bundle', async () => {
    const sm = fx('savedmodel/half-plus-two-tf2');
    const h5 = out('hp2.h5');
    await convertOk(sm, h5);
    const o = out('hp2-sm');
    const r = await convertOk(h5, o, '--to', 'savedmodel', '--template', sm, '--strict');
    expect(r.err).toMatch(/template match: 3 matched \(3 by name, 0 by order and shape\)/);
    // The index is rewritten (TF 2.14 Snappy-compressed it; the writer does not), the rest is the same.
    for (const f of ['saved_model.pb', 'variables/variables.data-00000-of-00001', 'assets/foo.txt']) {
      expect(readFileSync(join(o, f)).equals(readFileSync(join(sm, f))), f).toBe(true);
    }
    expect((await cli('diff', sm, o)).code).toBe(0);
  });
  it('new values land in the copy, the template is untouched', async () => {
    const sm = fx('savedmodel/half-plus-two-tf1');
    const npz = out('hp1.npz');
    await convertOk(sm, npz);
    const o = out('hp1-sm');
    await convertOk(npz, o, '--to', 'savedmodel', '--template', sm, '--cast', 'float32:float64', '--strict').catch((e: Error) => e);
    // float64 values do not fit float32 variables: refused, nothing written.
    expect(readdirSync(tmp.path).includes('hp1-sm')).toBe(false);
    const ok = await cli('convert', npz, o, '--to', 'savedmodel', '--template', sm);
    expect(ok.code).toBe(0);
    expect((await cli('diff', sm, o)).code).toBe(0);
  });
  it('without --template it says what is missing', async () => {
    const r = await cli('convert', fx('savedmodel/half-plus-two-tf1'), out('no-template'), '--to', 'savedmodel');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/writing TensorFlow SavedModel needs --template/);
  });
});
