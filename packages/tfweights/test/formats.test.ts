/** Detection (magic bytes + directory checks, never extensions) and output format choice. */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, haveFixtures, tempDir } from '@tfweights/testkit';
import { defaultRegistry } from '../src/formats/index.js';
import { probePath } from '../src/formats/probe.js';

const registry = defaultRegistry();
const detect = async (p: string) => registry.detectProbe(await probePath(p))?.id;
const tmp = tempDir('tfw-formats-');
afterAll(() => tmp.cleanup());

describe('output format from --to or the extension', () => {
  it.each([
    ['w.npz', 'npz'], ['w.NPZ', 'npz'], ['m.h5', 'keras-h5'], ['m.hdf5', 'keras-h5'], ['m.weights.h5', 'keras3'], ['m.keras', 'keras3'],
    ['model.ckpt', 'checkpoint'], ['x/ckpt.index', 'checkpoint'], ['one.npy', 'npy'], ['folder/', 'npy'],
    ['w.safetensors', 'safetensors'], ['web/model.json', 'tfjs'],
  ])('%s → %s', (out, id) => {
    expect(registry.outputAdapter(out).id).toBe(id);
  });
  it('--to names the format of an extensionless output; unknown ids are refused with the list', () => {
    expect(registry.outputAdapter('x', 'npz').id).toBe('npz');
    expect(registry.outputAdapter('out/', 'tfjs').id).toBe('tfjs');
    expect(() => registry.outputAdapter('x', 'pickle')).toThrow(/unknown output format 'pickle' \(writable: .*checkpoint/);
  });
  it('--to that contradicts the extension is refused, except for a checkpoint prefix', () => {
    expect(() => registry.outputAdapter('x.npz', 'safetensors')).toThrow(/--to safetensors conflicts with the name, whose '\.npz' means npz/);
    expect(() => registry.outputAdapter('x.weights.h5', 'keras-h5')).toThrow(/'\.weights\.h5' means keras3/);
    expect(registry.outputAdapter('ckpt/model.h5', 'checkpoint').id).toBe('checkpoint');
  });
  it('a SavedModel needs --template', async () => {
    await expect(registry.create('out', registry.get('savedmodel')!, { overwrite: false, plan: [] })).rejects.toThrow(/needs --template/);
  });
});

describe('detection ignores misleading extensions', () => {
  it('an HTML page named .h5 and a zip of nothing named .npz are not read', async () => {
    const html = join(tmp.path, 'page.h5');
    writeFileSync(html, '<!DOCTYPE html><html></html>');
    expect(await detect(html)).toBeUndefined();
    await expect(registry.open(html)).rejects.toThrow(/cannot read this: it is an HTML\/XML page/);
  });
  it('an empty directory is not a format', async () => {
    const d = join(tmp.path, 'empty');
    mkdirSync(d);
    await expect(registry.open(d)).rejects.toThrow(/a directory with no saved_model\.pb/);
  });
});

describe.skipIf(!haveFixtures())('detection on the fixtures', () => {
  it.each([
    ['checkpoint/tf1-simple/model-three-variables.ckpt', 'checkpoint'],
    ['checkpoint/tf1-simple/model-three-variables.ckpt.index', 'checkpoint'],
    ['checkpoint/tf1-simple/model-three-variables.ckpt.data-00000-of-00001', 'checkpoint'],
    ['checkpoint/tf2-ckpt-manager', 'checkpoint'],
    ['checkpoint/tf2-ckpt-manager/checkpoint', 'checkpoint'],
    ['savedmodel/half-plus-two-tf2', 'savedmodel'],
    ['savedmodel/half-plus-two-tf2/saved_model.pb', 'savedmodel'],
    ['savedmodel/half-plus-two-tf2/variables/variables', 'checkpoint'],
    ['keras-h5/tensorspace-lenet-full/mnist.h5', 'keras-h5'],
    ['keras3/student-adam/model.keras', 'keras3'],
    ['tfjs/tensorspace-lenet-layers/model.json', 'tfjs'],
    ['tfjs/tensorspace-lenet-layers', 'tfjs'],
    ['npy/numpy-savez/py3-arr-savez.npz', 'npz'],
    ['npy/npyjs/10-float32.npy', 'npy'],
  ])('%s → %s', async (p, id) => {
    expect(await detect(fixture(...p.split('/')))).toBe(id);
  });
  it('a renamed file is still what its bytes say', async () => {
    const renamed = join(tmp.path, 'really-an-npz.h5');
    copyFileSync(fixture('npy', 'numpy-savez', 'py3-arr-savez.npz'), renamed);
    expect(await detect(renamed)).toBe('npz');
    const r = await registry.open(renamed);
    expect(r.format).toBe('npz');
    await r.close();
  });
});
