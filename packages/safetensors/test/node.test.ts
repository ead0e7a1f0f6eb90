import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnsupportedDtypeError, makeTensor, type Tensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { createSafetensorsWriter, openSafetensors, writeSafetensors } from '../src/node/index.js';
import { serializeSafetensors } from '../src/index.js';
import { randomTensor } from './helpers.js';

const tmp = tempDir('tfw-st-node-');
afterAll(() => tmp.cleanup());

async function* stream(ts: Tensor[]): AsyncIterable<Tensor> {
  for (const t of ts) yield t;
}

describe('safetensors node entry', () => {
  const ts = [randomTensor('w', 'float32', [4, 4], 1), randomTensor('h', 'float16', [3], 2), randomTensor('i', 'int64', [2], 3)];

  it('writes arrays and async iterables to the same bytes, atomically', async () => {
    const a = join(tmp.path, 'a.safetensors');
    const b = join(tmp.path, 'b.safetensors');
    await writeSafetensors(a, ts, { metadata: { x: 'y' } });
    await writeSafetensors(b, stream(ts), { metadata: { x: 'y' } });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(Buffer.from(await serializeSafetensors(ts, { metadata: { x: 'y' } })).equals(readFileSync(a))).toBe(true);
    const r = await openSafetensors(a);
    expect(r.list().map((i) => i.key)).toEqual(['i', 'w', 'h']);
    await r.close();
    expect(readdirSync(tmp.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to overwrite unless asked, and leaves no file behind on failure', async () => {
    const a = join(tmp.path, 'exists.safetensors');
    writeFileSync(a, 'keep');
    await expect(writeSafetensors(a, ts)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(readFileSync(a, 'utf8')).toBe('keep');
    await writeSafetensors(a, ts, { overwrite: true });
    expect(readFileSync(a).byteLength).toBeGreaterThan(4);

    const c = join(tmp.path, 'never.safetensors');
    const bad = makeTensor('c', 'complex128', [1], new Uint8Array(16));
    await expect(writeSafetensors(c, stream([ts[0]!, bad]))).rejects.toBeInstanceOf(UnsupportedDtypeError);
    const w = await createSafetensorsWriter(c, ts);
    await w.write(ts[2]!);
    await expect(w.finish()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(existsSync(c)).toBe(false);
    expect(readdirSync(tmp.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
