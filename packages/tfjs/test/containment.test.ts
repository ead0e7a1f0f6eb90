/** tfjs shard paths stay in the model folder; model.json is parsed with depth limits. */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tfweights/testkit';
import { parseModelJson } from '../src/index.js';
import { openTfjsModel } from '../src/node/index.js';

const tmp = tempDir('tfw-tfjs-contain-');
afterAll(() => tmp.cleanup());

function model(paths: string[], shape: unknown = [4]): string {
  return JSON.stringify({ format: 'layers-model', weightsManifest: [{ paths, weights: [{ name: 'w', shape, dtype: 'float32' }] }] });
}

describe('tfjs containment', () => {
  it('refuses shard paths that leave the folder before opening anything', async () => {
    const bad = ['../../../../etc/passwd', 'a/../../x.bin', '/etc/passwd', 'file:///etc/passwd', 'https://x/y.bin', 'a\\..\\b', 'x\0.bin', ''];
    for (const p of bad) {
      const file = join(tmp.path, 'model.json');
      writeFileSync(file, model([p]));
      await expect(openTfjsModel(file).then((r) => r.read('w'))).rejects.toMatchObject({ code: 'Refused', file });
    }
  });
  it('still reads a shard in a subfolder', async () => {
    const file = join(tmp.path, 'sub-model.json');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(tmp.path, 'shards'), { recursive: true });
    writeFileSync(join(tmp.path, 'shards', 'a.bin'), new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
    writeFileSync(file, model(['shards/a.bin']));
    const r = await openTfjsModel(file);
    expect(Array.from(new Float32Array((await r.read('w')).data.slice().buffer))).toEqual([1, 2, 3, 4]);
    await r.close();
  });
  it('a 5,000-deep shape is LimitExceeded, not a stack overflow', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const text = `{"weightsManifest": [{"paths": ["a.bin"], "weights": [{"name": "w", "dtype": "float32", "shape": ${deep}}]}]}`;
    expect(() => parseModelJson(text, 'deep.json')).toThrow(expect.objectContaining({ code: 'LimitExceeded', file: 'deep.json' }));
  });
  it('__proto__ keys are plain data', () => {
    const text = '{"__proto__": {"polluted": 1}, "weightsManifest": [{"paths": ["a.bin"], "weights": [{"name": "__proto__", "shape": [1], "dtype": "float32"}]}]}';
    const m = parseModelJson(text, 'proto.json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(m.weightsManifest[0]!.weights[0]!.name).toBe('__proto__');
  });
});
