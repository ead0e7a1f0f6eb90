import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MemorySource, sniffInputOf } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { H5Writer, keras3Format, kerasH5Format, legacyWeightName, naturalCompare, readableWeightName, toSnakeCase, variableNames } from '../src/index.js';
import { nodeH5Api, openKeras, writeKerasArchive } from '../src/node/index.js';

const tmp = tempDir('tfw-keras-layout-');
afterAll(() => tmp.cleanup());

describe('hostile or foreign HDF5 content', () => {
  it('an HDF5 file without Keras groups says what it expected', async () => {
    const api = await nodeH5Api();
    const p = join(tmp.path, 'other.h5');
    const w = H5Writer.create(api, p);
    w.group('entry/instrument');
    w.close();
    await expect(openKeras(p)).rejects.toThrow(/HDF5 file without Keras weights.*layer_names/);
  });
  it('a layer listed in layer_names without its group is CorruptData naming the layer', async () => {
    const api = await nodeH5Api();
    const p = join(tmp.path, 'ghost.h5');
    const w = H5Writer.create(api, p);
    w.nameList('/', 'layer_names', ['ghost']);
    w.vlenString('/', 'keras_version', '2.3.1');
    w.close();
    await expect(openKeras(p)).rejects.toMatchObject({ code: 'CorruptData', message: expect.stringMatching(/ghost/) });
  });
  it('a weight name pointing nowhere is CorruptData naming the path', async () => {
    const api = await nodeH5Api();
    const p = join(tmp.path, 'nowhere.h5');
    const w = H5Writer.create(api, p);
    w.nameList('/', 'layer_names', ['dense']);
    w.group('dense');
    w.nameList('dense', 'weight_names', ['dense/kernel:0']);
    w.close();
    await expect(openKeras(p)).rejects.toThrow(/\/dense\/dense\/kernel:0/);
  });
});

describe('format descriptors and naming helpers', () => {
  it('sniff HDF5 and .keras zips by content', async () => {
    const p = join(tmp.path, 'm.keras');
    await writeKerasArchive(p, { layers: [] });
    const { readFileSync } = await import('node:fs');
    const zip = await sniffInputOf(new MemorySource(readFileSync(p), p));
    expect(keras3Format.sniff(zip)).toBe(true);
    expect(kerasH5Format.sniff(zip)).toBe(false);
    const h5 = await sniffInputOf(new MemorySource(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'x'));
    expect(kerasH5Format.sniff(h5)).toBe(true);
    expect(keras3Format.sniff(h5)).toBe(false);
  });
  it('names', () => {
    expect(readableWeightName('dense', 'sequential/dense/kernel')).toBe('dense/kernel');
    expect(readableWeightName('q', 'bits:0')).toBe('q/bits');
    expect(readableWeightName('Conv2D_1', 'Conv2D_1/kernel:0')).toBe('Conv2D_1/kernel');
    expect(legacyWeightName('dense', 'kernel')).toBe('dense/kernel:0');
    expect(legacyWeightName('dense', 'dense/bias:0')).toBe('dense/bias:0');
    expect(['vars/10', 'vars/9', 'vars/1'].sort(naturalCompare)).toEqual(['vars/1', 'vars/9', 'vars/10']);
    expect(['Conv2D', 'BatchNormalization', 'MultiHeadAttention', 'LSTM'].map(toSnakeCase)).toEqual(['conv2d', 'batch_normalization', 'multi_head_attention', 'lstm']);
    expect(variableNames({ className: 'Dense', config: {} }, 1)).toEqual(['kernel']);
    expect(variableNames({ className: 'BatchNormalization', config: { scale: false } }, 3)).toEqual(['beta', 'moving_mean', 'moving_variance']);
    expect(variableNames({ className: 'MyCustomLayer', config: {} }, 2)).toBeUndefined();
  });
});
