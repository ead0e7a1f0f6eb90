/**
 * What a new user meets first: --version, typo'd paths, conversions that would write nothing or
 * the wrong format, folder outputs, the summary's sizes, progress, `ls` summaries (parameters,
 * tree, include, signatures), `show --json`'s histogram, `convert --dry-run` / `--json`, JSON
 * errors, `--config` for Keras 3 `.weights.h5` and face-api-style bare tfjs manifests.
 * Inputs: the bundled iris-mlp checkpoint (always) and the shared fixtures (when present).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, haveFixtures, tempDir } from '@tfweights/testkit';
import { formatBytes, open, save } from 'tfweights';
import { main, memoryIo } from '../src/index.js';
import { makeProgress } from '../src/progress.js';

const here = dirname(fileURLToPath(import.meta.url));
const IRIS = join(here, '../../../examples/data/iris-mlp');
const IRIS_CONFIG = join(IRIS, 'model.json');
const tmp = tempDir('tfw-users-');
afterAll(() => tmp.cleanup());

async function cli(...args: string[]) {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const out = (name: string) => join(tmp.path, name);
/** A shared fixture's path, or undefined (the test says it is skipped) when they are absent. */
const shared = (p: string) => (haveFixtures() && existsSync(fixture(p)) ? fixture(p) : undefined);
const HP2 = shared('savedmodel/half-plus-two-tf2');
const LENET = shared('keras-h5/tensorspace-lenet-full/mnist.h5');

describe('first contact', () => {
  it('--version prints the package version', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')).version);
  });

  it('a typo in a path gets the nearest sibling names', async () => {
    const r = await cli('ls', join(dirname(IRIS), 'iris-mpl'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`did you mean '${IRIS}'?`);
  });

  it('errors are JSON on stdout under --json', async () => {
    const r = await cli('ls', join(tmp.path, 'nope.h5'), '--json');
    expect(r.code).toBe(2);
    const j = JSON.parse(r.out);
    expect(j.error).toMatchObject({ file: join(tmp.path, 'nope.h5') });
    expect(j.error.message).toMatch(/no such file/);
    expect(j.error.code).toBeTypeOf('string');
    const bad = await cli('show', IRIS, 'model/layer_with_weights-0/kernl', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out).error.suggestions.length).toBeGreaterThan(0);
  });
});

describe('convert refuses what would surprise', () => {
  it('--include that matches nothing fails and writes nothing', async () => {
    const r = await cli('convert', IRIS, out('none.npz'), '--include', 'encoder/**');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--include 'encoder\/\*\*' matched none of the 15 tensors \(names look like/);
    expect(existsSync(out('none.npz'))).toBe(false);
  });

  it('--to that contradicts the extension is refused', async () => {
    const r = await cli('convert', IRIS, out('weights.npz'), '--to', 'safetensors');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--to safetensors conflicts with the name, whose '.npz' means npz");
    expect(existsSync(out('weights.npz'))).toBe(false);
  });

  it('an existing directory without a trailing slash is a folder output', async () => {
    const dir = out('npy-dir');
    mkdirSync(dir);
    const r = await cli('convert', IRIS, dir, '--drop-optimizer', '--force');
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(dir)).toContain('index.json');
  });

  it('the summary reports the bytes written on disk', async () => {
    const r = await cli('convert', IRIS, out('sized.npz'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`${formatBytes(statSync(out('sized.npz')).size)} on disk`);
  });
});

describe('convert --dry-run and --json', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const r = await cli('convert', IRIS, out('plan.h5'), '--dry-run', '--rename', '^model/=');
    expect(r.code, r.err).toBe(0);
    expect(existsSync(out('plan.h5'))).toBe(false);
    expect(r.out).toMatch(/^would write .*plan\.h5 \(keras-h5\)/);
    expect(r.out).toMatch(/\+ layer_with_weights-0\/kernel\s+float32 \[4, 8\]\s+← model\/layer_with_weights-0\/kernel\/\.ATTRIBUTES\/VARIABLE_VALUE/);
    expect(r.out).toMatch(/- save_counter: a Keras file has no place for TensorFlow bookkeeping/);
  });

  it('--json gives the plan, then what was written, as one object', async () => {
    const plan = JSON.parse((await cli('convert', IRIS, out('j.npz'), '--json', '--dry-run', '--drop-optimizer')).out);
    expect(plan).toMatchObject({ dryRun: true, from: 'checkpoint', to: 'npz' });
    expect(plan.written).toHaveLength(4);
    expect(plan.leftOut.find((s: { name: string }) => s.name === 'save_counter').reason).toMatch(/filtered out/);
    const done = await cli('convert', IRIS, out('j.npz'), '--json', '--drop-optimizer');
    expect(done.code, done.err).toBe(0);
    const j = JSON.parse(done.out);
    expect(j.dryRun).toBe(false);
    expect(j.outputBytes).toBe(statSync(out('j.npz')).size);
  });
});

describe('ls', () => {
  it('counts parameters per layer and in total, by role', async () => {
    const r = await cli('ls', IRIS);
    // Dense 4→8 and 8→3: 32 + 8 + 24 + 3 weights; Adam m and v for each, plus its iteration counter.
    expect(r.out).toContain('params: 67 in weights, 135 in optimizer state, 2 other');
    const j = JSON.parse((await cli('ls', IRIS, '--json')).out);
    expect(j.params).toEqual({ weights: 67, optimizer: 135, other: 2 });
    expect(j.tensors.find((t: { name: string }) => t.name === 'model/layer_with_weights-0/kernel').params).toBe(32);
  });

  it('--include and --tree', async () => {
    const j = JSON.parse((await cli('ls', IRIS, '--json', '--include', 'model/*/kernel')).out);
    expect(j.tensors.map((t: { name: string }) => t.name)).toEqual(['model/layer_with_weights-0/kernel', 'model/layer_with_weights-1/kernel']);
    const tree = (await cli('ls', IRIS, '--tree', '--include', 'model/*/kernel', '--include', 'save_counter')).out;
    expect(tree.split('\n').slice(1, 7)).toEqual([
      '├── model  (56 params)',
      '│   ├── layer_with_weights-0  (32 params)',
      '│   │   └── kernel  float32 [4, 8]',
      '│   └── layer_with_weights-1  (24 params)',
      '│       └── kernel  float32 [8, 3]',
      '└── save_counter  int64 []  [bookkeeping]',
    ]);
  });

  it.skipIf(!HP2)('lists a SavedModel\'s signatures (shared fixtures)', async () => {
    const r = await cli('ls', HP2!);
    expect(r.out).toContain('signature serving_default(x: float32[1]) -> (y: float32[1])  [tensorflow/serving/predict]');
    const j = JSON.parse((await cli('ls', HP2!, '--json')).out);
    expect(j.signatures.map((s: { key: string }) => s.key)).toContain('serving_default');
  });
});

describe('show --json', () => {
  it('carries the histogram: bins over [min, max] counting every finite value', async () => {
    const j = JSON.parse((await cli('show', IRIS, 'model/layer_with_weights-0/kernel', '--json', '--bins', '5')).out);
    expect(j.histogram.counts).toHaveLength(5);
    expect(j.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(32);
    expect(j.histogram.lo).toBe(j.stats.min);
    expect(j.histogram.hi).toBe(j.stats.max);
  });
});

describe('--config names a Keras 3 .weights.h5', () => {
  const weights = out('iris.weights.h5');
  beforeAll(async () => {
    const r = await cli('convert', IRIS, weights, '--drop-optimizer', '--template', IRIS_CONFIG);
    expect(r.code, r.err).toBe(0);
  });

  it('ls without a config shows vars/<i>; with it, dense/kernel', async () => {
    const bare = JSON.parse((await cli('ls', weights, '--json')).out);
    expect(bare.tensors.map((t: { name: string }) => t.name)).toContain('layers/dense/vars/0');
    const named = JSON.parse((await cli('ls', weights, '--json', '--config', IRIS_CONFIG)).out);
    expect(named.tensors.map((t: { name: string }) => t.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
  });

  it('convert --config and open(path, {config}) use the names', async () => {
    const r = await cli('convert', weights, out('named.npz'), '--config', IRIS_CONFIG);
    expect(r.code, r.err).toBe(0);
    const npz = await open(out('named.npz'));
    expect(npz.list().map((t) => t.name).sort()).toEqual(['dense/bias', 'dense/kernel', 'dense_1/bias', 'dense_1/kernel']);
    const f = await open(weights, { config: IRIS_CONFIG });
    expect((await f.read('dense/kernel')).shape).toEqual([4, 8]);
    await f.close();
    await npz.close();
  });

  it('a config for a non-Keras file is refused', async () => {
    const r = await cli('ls', IRIS, '--config', IRIS_CONFIG);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/a model config names the variables of Keras files only/);
  });
});

describe('face-api.js style weights manifest', () => {
  it('a bare *-weights_manifest.json (a list of groups) reads like a model.json', async () => {
    const dir = out('faceapi');
    expect((await cli('convert', IRIS, dir, '--to', 'tfjs', '--drop-optimizer')).code).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    writeFileSync(join(dir, 'tiny_face_detector_model-weights_manifest.json'), JSON.stringify(model.weightsManifest));
    const r = await cli('ls', join(dir, 'tiny_face_detector_model-weights_manifest.json'), '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.format).toBe('tfjs');
    expect(j.tensors).toHaveLength(4);
    const d = await cli('diff', join(dir, 'tiny_face_detector_model-weights_manifest.json'), join(dir, 'model.json'));
    expect(d.code, d.out).toBe(0);
  });
});

describe('progress', () => {
  it('shows the rate and the time left on a terminal', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let text = '';
    stream.on('data', (b: Buffer) => { text += b.toString(); });
    const p = makeProgress({ out() {}, err() {}, stderrIsTTY: true, progressStream: stream }, true);
    p.start(4 << 20, 'convert');
    p.advance(1 << 20, 'dense/kernel');
    p.stop();
    expect(text).toMatch(/\/s \| ETA \S+/);
  });
});

describe.skipIf(!LENET)('save() from Keras 2 to Keras 3 (shared fixtures)', () => {
  it("leaves Keras 2 optimizer slots out, saying why, instead of a file Keras 3 warns about", async () => {
    const lines: string[] = [];
    const input = await open(LENET!);
    const result = await save(input, out('lenet.weights.h5'), { log: (l) => lines.push(l) });
    await input.close();
    expect(result.written.every((p) => (p.source.role ?? 'weight') === 'weight')).toBe(true);
    const slots = result.skipped.filter((t) => t.role === 'optimizer');
    expect(slots.length).toBeGreaterThan(0);
    expect(result.reasons.get(slots[0]!.key)).toMatch(/Keras 2 optimizer slots do not map onto a Keras 3 optimizer/);
    expect(lines.join('\n')).toMatch(/left out \d+ tensor\(s\): Keras 2 optimizer slots/);
  });
});
