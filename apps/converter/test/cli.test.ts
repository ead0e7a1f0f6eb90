/** The CLI machinery, in-process, on a test format (no codec needed). */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStringTensor, makeTensor, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';
import { stats, testFile, testRegistry } from './helpers/test-format.js';

const f32 = (key: string, shape: number[], values: number[], extra: Partial<Tensor> = {}) =>
  ({ ...makeTensor(key, 'float32', shape, new Uint8Array(new Float32Array(values).buffer)), ...extra });

const tensors: Tensor[] = [
  f32('model/dense/kernel:0', [2, 2], [1, -2, 0, 4], { name: 'dense/kernel', layer: 'dense' }),
  f32('model/dense/bias:0', [2], [0.5, NaN], { name: 'dense/bias', layer: 'dense' }),
  f32('opt/dense/kernel/m', [2, 2], [0, 0, 0, 0], { role: 'optimizer' }),
  makeTensor('step', 'int64', [], new Uint8Array(new BigInt64Array([7n]).buffer), { role: 'bookkeeping' }),
  makeStringTensor('_CHECKPOINTABLE_OBJECT_GRAPH', [], ['graph'], { role: 'metadata' }),
];

let dir: { path: string; cleanup: () => void };
let input: string;
const run = async (...argv: string[]) => {
  const io = memoryIo();
  const code = await main(argv, io, { registry: testRegistry() });
  return { code, out: io.stdout(), err: io.stderr() };
};

beforeAll(() => {
  dir = tempDir('tfw-cli-');
  input = join(dir.path, 'in.tfwtest');
  writeFileSync(input, testFile(tensors, [{ name: 'dense', className: 'Dense', weights: ['model/dense/kernel:0', 'model/dense/bias:0'] }]));
});
afterAll(() => dir.cleanup());

describe('ls', () => {
  it('prints JSON with format, keys, readable names, dtypes, shapes, bytes and roles', async () => {
    const r = await run('ls', input, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.format).toBe('tfwtest');
    expect(j.tensors[0]).toEqual({ key: 'model/dense/kernel:0', name: 'dense/kernel', dtype: 'float32', shape: [2, 2], bytes: 16, params: 4, role: 'weight', layer: 'dense' });
    expect(j.tensors.map((t: { role: string }) => t.role)).toEqual(['weight', 'weight', 'optimizer', 'bookkeeping', 'metadata']);
    expect(j.layers[0]).toEqual({ name: 'dense', className: 'Dense', weights: ['model/dense/kernel:0', 'model/dense/bias:0'], params: 6 });
  });
  it('groups by layer and marks optimizer state in text', async () => {
    const r = await run('ls', input);
    expect(r.out).toMatch(/^.*in\.tfwtest: tfwtest, 5 tensors/);
    expect(r.out).toMatch(/layer dense \(Dense\): 6 params\n {4}dense\/kernel +float32 +\[2, 2\] +16 B +key=model\/dense\/kernel:0/);
    expect(r.out).toMatch(/opt\/dense\/kernel\/m .*\[optimizer\]/);
  });
  it('fails with one line naming the file for unreadable input (exit 2)', async () => {
    const bad = join(dir.path, 'bad.bin');
    writeFileSync(bad, 'version https://git-lfs.github.com/spec/v1\noid sha256:00\n');
    const r = await run('ls', bad);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`tfweights: ${bad}: cannot read this: it is a Git LFS pointer file (the real file was never downloaded: run \`git lfs pull\`)\n`);
    const missing = await run('ls', join(dir.path, 'nope'));
    expect(missing.err).toMatch(/^tfweights: .*nope: cannot read this: no such file or directory\n$/);
  });
});

describe('show', () => {
  it('prints stats, histogram and first values by readable name', async () => {
    const r = await run('show', input, 'dense/kernel');
    expect(r.code).toBe(0);
    expect(r.out).toContain('min -2  max 4  mean 0.75');
    expect(r.out).toContain('zeros 1  NaN 0  Inf 0');
    expect(r.out).toContain('histogram:');
    expect(r.out).toContain('first values: 1, -2, 0, 4');
  });
  it('JSON output with NaN counted apart', async () => {
    const r = await run('show', input, 'model/dense/bias:0', '--json');
    const j = JSON.parse(r.out);
    expect(j.stats).toMatchObject({ nan: 1, min: 0.5, max: 0.5 });
    expect(j.head).toEqual([0.5, 'NaN']);
  });
  it('suggests the nearest names for an unknown tensor', async () => {
    const r = await run('show', input, 'dense/kernal');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no tensor named 'dense\/kernal'; nearest: .*'dense\/kernel'/);
  });
});

describe('convert', () => {
  it('writes readable names, drops the object graph, and round-trips values (diff equal)', async () => {
    const out = join(dir.path, 'out1.tfwtest');
    const r = await run('convert', input, out, '--rename', '^dense=fc', '--exclude', 'step');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/wrote .*out1.tfwtest \(tfwtest\): 3 tensors/);
    const j = JSON.parse((await run('ls', out, '--json')).out);
    expect(j.tensors.map((t: { key: string }) => t.key)).toEqual(['fc/kernel', 'fc/bias', 'opt/dense/kernel/m']);
    const d = await run('diff', input, out);
    expect(d.code).toBe(1);
    expect(d.out).toMatch(/only in A: dense\/kernel/);
  });
  it('same-format conversion with nothing changed keeps keys and order', async () => {
    const out = join(dir.path, 'same.tfwtest');
    expect((await run('convert', input, out)).code).toBe(0);
    const a = JSON.parse(readFileSync(input, 'utf8'));
    const b = JSON.parse(readFileSync(out, 'utf8'));
    expect(b.tensors).toEqual(a.tensors);
    expect((await run('diff', input, out)).code).toBe(0);
  });
  it('--drop-optimizer, --include and --cast', async () => {
    const out = join(dir.path, 'cast.tfwtest');
    const r = await run('convert', input, out, '--drop-optimizer', '--include', 'dense/*', '--cast', 'float32:float16');
    expect(r.code).toBe(0);
    const j = JSON.parse((await run('ls', out, '--json')).out);
    expect(j.tensors.map((t: { key: string; dtype: string }) => `${t.key}:${t.dtype}`)).toEqual(['model/dense/kernel:0:float16', 'model/dense/bias:0:float16']);
    const d = await run('diff', input, out, '--json');
    expect(d.code).toBe(1);
    expect(JSON.parse(d.out).different[0]).toMatchObject({ problem: 'dtype', dtypeA: 'float32', dtypeB: 'float16' });
  });
  it('never writes over its input, refuses an existing output without --force', async () => {
    const self = await run('convert', input, input);
    expect(self.code).toBe(2);
    expect(self.err).toMatch(/same path as an input/);
    const out = join(dir.path, 'exists.tfwtest');
    writeFileSync(out, 'keep');
    const r = await run('convert', input, out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already exists/);
    expect(readFileSync(out, 'utf8')).toBe('keep');
    expect((await run('convert', input, out, '--force')).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^\{"tfwtest":1/);
  });
  it('leaves no partial output when writing fails', async () => {
    const out = join(dir.path, 'fail.tfwordered');
    // Rename two tensors to one name: refused before anything is written.
    const r = await run('convert', input, out, '--rename', '^.*kernel.*$=same');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/both be written as 'same'/);
    expect(readdirSync(dir.path).filter((n) => n.includes('fail'))).toEqual([]);
  });
  it('aborts a conversion that fails half-way: no output, no temporary file', async () => {
    const src = join(dir.path, 'big.tfwtest');
    writeFileSync(src, testFile([f32('a', [1], [1]), makeTensor('n', 'int64', [1], new Uint8Array(new BigInt64Array([1n << 40n]).buffer))]));
    const r = await run('convert', src, join(dir.path, 'half.tfwtest'), '--cast', 'int64:int32');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tfweights: --cast int64:int32: tensor 'n' holds 1099511627776, which int32 cannot hold\n$/);
    expect(readdirSync(dir.path).filter((n) => n.includes('half'))).toEqual([]);
  });
  it('reads in the writer\'s order when the writer has one', async () => {
    const out = join(dir.path, 'ordered.tfwordered');
    const r = await run('convert', input, out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.tensors.map((t: { key: string }) => t.key)).toEqual(['dense/bias', 'dense/kernel', 'opt/dense/kernel/m', 'step']);
  });
  it('--template matches by name, then order/shape; --strict fails on leftovers', async () => {
    const tpl = join(dir.path, 'template.tfwtest');
    writeFileSync(tpl, testFile([f32('L/L/kernel:0', [2, 2], [0, 0, 0, 0]), f32('L/L/bias:0', [2], [0, 0])]));
    const out = join(dir.path, 'tpl.tfwtest');
    const unsure = await run('convert', input, out, '--template', tpl, '--drop-optimizer', '--exclude', 'step');
    expect(unsure.code).toBe(2);
    expect(unsure.err).toMatch(/template match is not certain/);
    expect(existsSync(out)).toBe(false);
    const r = await run('convert', input, out, '--template', tpl, '--drop-optimizer', '--exclude', 'step', '--allow-uncertain-match');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/template match: 2 matched \(0 by name, 2 by order and shape\)/);
    const j = JSON.parse((await run('ls', out, '--json')).out);
    expect(j.tensors.map((t: { key: string }) => t.key)).toEqual(['L/L/kernel:0', 'L/L/bias:0']);
    const strict = await run('convert', input, join(dir.path, 'tpl2.tfwtest'), '--template', tpl, '--strict');
    expect(strict.code).toBe(2);
    expect(strict.err).toMatch(/--strict: template match left 2 source/);
    expect(existsSync(join(dir.path, 'tpl2.tfwtest'))).toBe(false);
  });
  it('needs --to when the extension says nothing', async () => {
    const r = await run('convert', input, join(dir.path, 'noext'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pass --to/);
    const bad = await run('convert', input, join(dir.path, 'x'), '--to', 'nope');
    expect(bad.err).toMatch(/unknown output format 'nope'/);
  });
  it('holds one tensor at a time: each tensor is read exactly once', async () => {
    stats.reads = 0;
    await run('convert', input, join(dir.path, 'count.tfwtest'));
    expect(stats.reads).toBe(tensors.length);
  });
});

describe('diff', () => {
  it('tolerances: atol/rtol decide equality, exit 1 vs 0', async () => {
    const b = join(dir.path, 'near.tfwtest');
    writeFileSync(b, testFile([f32('w', [3], [1, 2, 3.001])]));
    const a = join(dir.path, 'ref.tfwtest');
    writeFileSync(a, testFile([f32('w', [3], [1, 2, 3])]));
    const exact = await run('diff', a, b, '--json');
    expect(exact.code).toBe(1);
    const j = JSON.parse(exact.out);
    expect(j.different[0].maxAbs).toBeCloseTo(0.001, 6);
    expect(j.different[0].mismatched).toBe(1);
    expect((await run('diff', a, b, '--atol', '0.01')).code).toBe(0);
    expect((await run('diff', a, b, '--rtol', '0.001')).code).toBe(0);
    expect((await run('diff', a, b, '--rtol', '0.0001')).code).toBe(1);
  });
  it('reports shape mismatches and tensors on one side', async () => {
    const a = join(dir.path, 's1.tfwtest');
    const b = join(dir.path, 's2.tfwtest');
    writeFileSync(a, testFile([f32('w', [2], [1, 2]), f32('only', [1], [0])]));
    writeFileSync(b, testFile([f32('w', [1, 2], [1, 2])]));
    const r = await run('diff', a, b);
    expect(r.code).toBe(1);
    expect(r.out).toContain('only in A: only float32 [1]');
    expect(r.out).toContain('shape differs: w [2] vs [1, 2]');
  });
  it('sets aside optimizer state that only one side has, unless --all', async () => {
    const a = join(dir.path, 'o1.tfwtest');
    const b = join(dir.path, 'o2.tfwtest');
    writeFileSync(a, testFile([f32('w', [1], [1]), f32('m', [1], [0], { role: 'optimizer' })]));
    writeFileSync(b, testFile([f32('w', [1], [1])]));
    const r = await run('diff', a, b);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/note: 1 optimizer tensor\(s\) only in A/);
    expect((await run('diff', a, b, '--all')).code).toBe(1);
  });
  it('bad numbers and usage errors exit 2', async () => {
    expect((await run('diff', input, input, '--atol', 'x')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('diff', input)).code).toBe(2);
  });
});

describe('help', () => {
  it('every command has --help with examples and exit codes', async () => {
    for (const cmd of [[], ['ls'], ['show'], ['convert'], ['diff']]) {
      const r = await run(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toContain('Examples:');
      expect(r.out).toContain('Exit codes:');
    }
  });
});
