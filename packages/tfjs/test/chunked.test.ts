/**
 * tfjs inputs stream: readChunked reads a weight's bytes from its shard files in chunks of the
 * asked size, across shard boundaries (the real tensorflow.js-written LeNet model, its one
 * shard cut into 7 files as `--weight_shard_size_bytes` would), and dequantizes quantized
 * weights chunk by chunk; every weight equals the whole read.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@tfweights/core';
import { collectChunks, fixture, haveFixtures, tempDir } from '@tfweights/testkit';
import { openTfjsModel, writeTfjsModel } from '../src/node/index.js';

const tmp = tempDir('tfw-tfjs-chunked-');
afterAll(() => tmp.cleanup());


describe.skipIf(!haveFixtures())('tfjs readChunked', () => {
  it('streams weights that span shard files, equal to the whole read', async () => {
    const dir = join(tmp.path, 'lenet');
    cpSync(fixture('tfjs/tensorspace-lenet-layers'), dir, { recursive: true });
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const group = model.weightsManifest[0]!;
    const bin = readFileSync(join(dir, group.paths[0]!));
    rmSync(join(dir, group.paths[0]!));
    const cut = Math.ceil(bin.byteLength / 7);
    group.paths = Array.from({ length: 7 }, (_, i) => {
      writeFileSync(join(dir, `group1-shard${i + 1}of7.bin`), bin.subarray(i * cut, (i + 1) * cut));
      return `group1-shard${i + 1}of7.bin`;
    });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
    const r = await openTfjsModel(join(dir, 'model.json'));
    try {
      let offset = 0;
      let spanning = 0;
      for (const info of r.list()) {
        const whole = await r.read(info.key);
        const c = await r.readChunked(info.key, { chunkBytes: 4096 });
        expect({ key: c.key, name: c.name, dtype: c.dtype, shape: c.shape }).toEqual({ key: whole.key, name: whole.name, dtype: whole.dtype, shape: whole.shape });
        const got = await collectChunks(c.chunks());
        expect(got.bytes, info.key).toEqual(whole.data);
        expect(got.n).toBe(Math.max(1, Math.ceil(whole.data.byteLength / 4096)));
        if (Math.floor(offset / cut) !== Math.floor((offset + whole.data.byteLength - 1) / cut)) spanning++;
        offset += whole.data.byteLength;
      }
      expect(spanning).toBeGreaterThanOrEqual(2);
    } finally {
      await r.close();
    }
  });
});

describe('tfjs readChunked of quantized weights', () => {
  it('dequantizes chunk by chunk (uint8 and float16), equal to the whole read', async () => {
    const values = Float32Array.from({ length: 3001 }, (_, i) => Math.sin(i) * 3);
    for (const q of ['uint8', 'float16'] as const) {
      const dir = join(tmp.path, `q-${q}`);
      await writeTfjsModel(dir, [makeTensor('dense/kernel', 'float32', [3001], new Uint8Array(values.buffer))], { quantize: q, shardSize: 1000 });
      const r = await openTfjsModel(join(dir, 'model.json'));
      const whole = await r.read('dense/kernel');
      const got = await collectChunks((await r.readChunked('dense/kernel', { chunkBytes: 1000 })).chunks());
      expect(got.bytes).toEqual(whole.data);
      expect(got.n).toBeGreaterThan(3);
      await r.close();
    }
  });
});
