import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesOf, isTfwError, makeStringTensor, makeTensor, typedValues, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import {
  createNpyFolderWriter, createNpzWriter, openNpy, openNpyFolder, openNpz, openNumpy, writeNpy, writeNpz,
} from '../src/node/index.js';

const dir = tempDir('tfw-npy-node-');
afterAll(() => dir.cleanup());

const t1 = makeTensor('w', 'float64', [2, 2], bytesOf(new Float64Array([1, 2, 3, 4])));
const t2 = makeStringTensor('names', [2], ['a', 'bc']);

describe('@tfweights/npy/node', () => {
  it('writes and opens .npy and .npz by path', async () => {
    const npy = join(dir.path, 'w.npy');
    await writeNpy(npy, t1);
    const r = await openNpy(npy);
    expect(r.list()[0]!.key).toBe('w');
    expect(Array.from(typedValues(await r.read('w')) as Float64Array)).toEqual([1, 2, 3, 4]);
    await r.close();
    const npz = join(dir.path, 'both.npz');
    await writeNpz(npz, [t1, t2], { compressed: true });
    const z = await openNumpy(npz);
    expect(z.format).toBe('npz');
    const got: Tensor[] = [];
    for await (const t of z.tensors()) got.push(t);
    expect(got.map((t) => t.key)).toEqual(['w', 'names']);
    await z.close();
    expect((await openNumpy(npy)).format).toBe('npy');
  });

  it('refuses to overwrite unless asked, and leaves nothing behind when a write fails', async () => {
    const npz = join(dir.path, 'once.npz');
    await writeNpz(npz, [t1]);
    await expect(writeNpz(npz, [t1])).rejects.toSatisfy(isTfwError);
    await writeNpz(npz, [t2], { overwrite: true });
    expect((await openNpz(npz)).list().map((t) => t.key)).toEqual(['names']);
    const bf = makeTensor('bf', 'bfloat16', [1], new Uint8Array(2));
    const failed = join(dir.path, 'failed.npz');
    await expect(writeNpz(failed, [t1, bf])).rejects.toSatisfy(isTfwError);
    expect(existsSync(failed)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp'))).toEqual([]);
    const w = await createNpzWriter(join(dir.path, 'streamed.npz'));
    await w.write(t1);
    await w.finish();
    expect((await openNpz(join(dir.path, 'streamed.npz'))).list().length).toBe(1);
  });

  it('says what a non-NumPy file is', async () => {
    const p = join(dir.path, 'x.npy');
    writeFileSync(p, '<html>not found</html>');
    const e = await openNumpy(p).catch((err: unknown) => err);
    expect(isTfwError(e) && e.code).toBe('NotThisFormat');
    expect(String((e as Error).message)).toContain('HTML');
  });

  it('writes a folder of .npy files with index.json and reads it back', async () => {
    const out = join(dir.path, 'folder');
    const w = createNpyFolderWriter(out);
    await w.write({ ...t1, key: 'dense/kernel', name: 'dense/kernel', layer: 'dense' });
    await w.write(t2);
    await w.finish();
    expect(readdirSync(out).sort()).toEqual(['dense__kernel.npy', 'index.json', 'names.npy']);
    const r = await openNpyFolder(out);
    expect(r.list().map((t) => [t.key, t.byteLength])).toEqual([['dense/kernel', 32], ['names', 0]]);
    const k = await r.read('dense/kernel');
    expect(k.layer).toBe('dense');
    expect(Array.from(typedValues(k) as Float64Array)).toEqual([1, 2, 3, 4]);
  });
});
