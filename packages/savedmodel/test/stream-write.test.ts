/**
 * The SavedModel writer takes values one tensor at a time, in chunks: on the real TF-written
 * LeNet SavedModel, every variable replaced (×2) through writeChunked in small chunks gives
 * the same directory, byte for byte, as writeSavedModel with the whole values; the chunks are
 * pulled while writing (never collected first); values out of the writer's order, or a stream
 * that falls short, leave no output.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '@tfweights/core';
import { chunkedBy, fixture, haveFixtures, tempDir } from '@tfweights/testkit';
import { createSavedModelWriter, openSavedModel, writeSavedModel } from '../src/node/index.js';

const tmp = tempDir('tfw-savedmodel-stream-');
afterAll(() => tmp.cleanup());
const SRC = 'savedmodel/tensorspace-lenet-tf1';

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** New values: every float32 variable doubled. */
async function doubled(): Promise<Map<string, Tensor>> {
  const r = await openSavedModel(fixture(SRC));
  const out = new Map<string, Tensor>();
  try {
    for (const info of r.list()) {
      if (info.dtype !== 'float32') continue;
      const t = await r.read(info.key);
      const v = new Float32Array(t.data.slice().buffer).map((x) => x * 2);
      out.set(info.key, makeTensor(info.key, 'float32', info.shape, new Uint8Array(v.buffer)));
    }
  } finally {
    await r.close();
  }
  return out;
}


describe.skipIf(!haveFixtures())('createSavedModelWriter (real TF-written SavedModel)', () => {
  it('values in chunks, one tensor at a time, give writeSavedModel\'s bytes', async () => {
    const values = await doubled();
    expect(values.size).toBeGreaterThan(4);
    const whole = join(tmp.path, 'whole');
    await writeSavedModel(fixture(SRC), whole, values);
    const streamed = join(tmp.path, 'streamed');
    const w = await createSavedModelWriter(fixture(SRC), streamed, { expect: [...values.keys()] });
    const pulled: string[] = [];
    for (const key of w.order) {
      const t = values.get(key);
      if (!t) continue;
      const before = pulled.length;
      await w.writeChunked(chunkedBy(t, 1024, (k) => pulled.push(k)));
      // This tensor's chunks were all pulled by this call, none of a later one.
      expect(pulled.slice(before).every((k) => k === key)).toBe(true);
      expect(pulled.length - before).toBe(Math.ceil(t.data.byteLength / 1024));
    }
    expect(existsSync(streamed)).toBe(false);
    const result = await w.finish();
    expect(result.replaced).toEqual([...values.keys()].sort());
    expect(files(streamed)).toEqual(files(whole));
  });

  it('a value out of order, or chunks that fall short, leave no output', async () => {
    const values = await doubled();
    const out = join(tmp.path, 'bad-order');
    const w = await createSavedModelWriter(fixture(SRC), out, { expect: [...values.keys()] });
    const keys = w.order.filter((k) => values.has(k));
    await expect(w.write(values.get(keys[1]!)!)).rejects.toThrow(/did not come in the bundle's data order/);
    await w.abort();
    expect(existsSync(out)).toBe(false);
    const out2 = join(tmp.path, 'short');
    const w2 = await createSavedModelWriter(fixture(SRC), out2);
    const t = values.get(keys[0]!)!;
    await expect(w2.writeChunked({ ...chunkedBy(t, 64), chunks: async function* () { yield t.data.subarray(0, 8); } })).rejects.toThrow(/needs \d+ bytes/);
    await w2.abort();
    expect(existsSync(out2)).toBe(false);
    expect(readdirSync(tmp.path).filter((n) => n.includes('.tmp'))).toEqual([]);
  });
});
