import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, IoError, makeTensor, UnsupportedDtypeError } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { createTfjsWriter, openTfjsModel, writeTfjsModel } from '../src/node/index.js';
import { f32, mixedTensors } from './helpers.js';

const tmp = tempDir('tfw-tfjs-node-');
afterAll(() => tmp.cleanup());

describe('tfjs node entry', () => {
  it('writes a folder atomically and reads it back by path', async () => {
    const dir = join(tmp.path, 'm1');
    const ts = mixedTensors();
    await writeTfjsModel(dir, ts, { shardSize: 40 });
    const files = readdirSync(dir).sort();
    expect(files[files.length - 1]).toBe('model.json');
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const r = await openTfjsModel(join(dir, 'model.json'));
    for (const t of ts) expect((await r.read(t.key)).byteLength).toBe(t.byteLength);
    await r.close();
    await expect(writeTfjsModel(dir, ts)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toContain('"group1-shard1of');
  });

  it('leaves nothing behind when a write fails', async () => {
    const dir = join(tmp.path, 'm2');
    const bad = makeTensor('x/i', 'int64', [1], new Uint8Array(8));
    await expect(writeTfjsModel(dir, [f32('a/w', [4], 1), bad])).rejects.toBeInstanceOf(UnsupportedDtypeError);
    const w = await createTfjsWriter(dir, [f32('a/w', [4], 1), f32('b/w', [4], 2)], { shardSize: 8 });
    await w.write(f32('a/w', [4], 1));
    await expect(w.finish()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('names missing shards and refuses absolute shard paths', async () => {
    const dir = join(tmp.path, 'm3');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['nope.bin'], weights: [{ name: 'a', shape: [1], dtype: 'float32' }] }] }));
    const r = await openTfjsModel(join(dir, 'model.json'));
    await expect(r.read('a')).rejects.toBeInstanceOf(IoError);
    writeFileSync(join(dir, 'abs.json'), JSON.stringify({ weightsManifest: [{ paths: ['/etc/passwd'], weights: [{ name: 'a', shape: [1], dtype: 'float32' }] }] }));
    await expect(openTfjsModel(join(dir, 'abs.json')).then((m) => m.read('a'))).rejects.toMatchObject({ code: 'Refused', message: expect.stringMatching(/absolute/) });
  });
});
