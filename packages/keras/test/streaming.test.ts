/**
 * The TensorWriters stream: once write() has returned, the writer keeps no reference to the
 * tensor's data (checked with WeakRefs and a forced GC), and an up-front layout decides the
 * order of the name lists whatever order tensors arrive in.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTfwError, makeTensor, type Tensor, type TensorWriter } from '@tfweights/core';
import { canonicalSha256, tempDir } from '@tfweights/testkit';
import { createKerasArchiveWriter, createKerasH5Writer, createKerasWeightsH5Writer, nodeH5Api, openKeras, type KerasLayout } from '../src/node/index.js';
import { LegacyH5Stream } from '../src/index.js';
import { patchFixedStringsInHeaders } from '../src/node/strpad.js';
import { h5dump, python } from './h5dump.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const tmp = tempDir('tfw-keras-stream-');
afterAll(() => tmp.cleanup());
let n = 0;
const out = (name: string): string => join(tmp.path, `${n++}-${name}`);

/** A float32 tensor with fresh, deterministic data (`seed` picks the values). */
function tensor(key: string, name: string, elements: number, seed: number): Tensor {
  const v = new Float32Array(elements);
  for (let i = 0; i < v.length; i++) v[i] = ((i * 7 + seed * 13) % 101) / 101 - 0.5;
  return { ...makeTensor(key, 'float32', [elements], new Uint8Array(v.buffer)), name };
}

/** Let the current job end (WeakRef targets stay alive until then), then collect. */
async function collect(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
}

const MiB = 2 ** 20;

describe('streaming TensorWriters hold no tensor once written', () => {
  const kinds: [string, (p: string) => TensorWriter, string][] = [
    ['legacy .h5', (p) => createKerasH5Writer(p), 'w.h5'],
    ['Keras 3 .weights.h5', (p) => createKerasWeightsH5Writer(p), 'w.weights.h5'],
    ['.keras', (p) => createKerasArchiveWriter(p), 'w.keras'],
  ];
  for (const [label, create, file] of kinds) {
    it(`${label}: every written tensor's buffer is collectable before the next one is produced`, async () => {
      const p = out(file);
      const w = create(p);
      // Tensor 2 is larger than one 32 MiB heap slab, so the slab path streams too.
      const sizes = [1000, 5000, (40 * MiB) / 4, 300, 7];
      const refs: WeakRef<ArrayBuffer>[] = [];
      const shas: string[] = [];
      const produce = (k: number): Tensor => {
        const t = tensor(`t${k}`, `layer_${k % 2}/w${k}`, sizes[k]!, k);
        refs.push(new WeakRef(t.data.buffer as ArrayBuffer));
        shas.push(canonicalSha256(t));
        return t;
      };
      for (let k = 0; k < sizes.length; k++) {
        await w.write(produce(k));
        await collect();
        const alive = refs.map((r, i) => (r.deref() === undefined ? -1 : i)).filter((i) => i >= 0);
        expect(alive, `buffers still referenced after writing tensor ${k}`).toEqual([]);
      }
      await w.finish();
      const r = await openKeras(p);
      try {
        expect(r.layers?.().map((l) => l.name)).toEqual(['layer_0', 'layer_1']);
        for (let k = 0; k < sizes.length; k++) {
          // Legacy names are `<layer>/<weight>`; Keras 3 without a class keeps vars/<index in layer>.
          const t = r.list().find((x) => x.name === `layer_${k % 2}/w${k}` || x.key === `layers/layer_${k % 2}/vars/${Math.floor(k / 2)}`)!;
          expect(canonicalSha256(await r.read(t.key))).toBe(shas[k]);
        }
      } finally {
        await r.close();
      }
    });
  }

  it('the check can fail: a writer that keeps tensors is caught', async () => {
    const kept: Tensor[] = [];
    const refs: WeakRef<ArrayBuffer>[] = [];
    const t = tensor('a', 'l/a', 1000, 1);
    refs.push(new WeakRef(t.data.buffer as ArrayBuffer));
    kept.push(t);
    await collect();
    expect(refs[0]!.deref()).toBeDefined();
    expect(kept).toHaveLength(1);
  });
});

describe('up-front layout', () => {
  // A TF1 checkpoint lists bias before kernel; Keras assigns weights by position.
  const layout: KerasLayout = {
    layers: [
      { name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: 'dense/kernel' }, { name: 'bias', tensor: 'dense/bias' }] },
      { name: 'empty', className: 'Flatten', weights: [] },
      { name: 'out', className: 'Dense', weights: [{ name: 'kernel', tensor: 'k2' }, { name: 'bias', tensor: 'b2' }] },
    ],
  };
  const arrivals = (): Tensor[] => [
    tensor('b2', 'whatever/b2', 2, 4), tensor('dense/bias', 'dense/bias', 3, 1), tensor('k2', 'x', 6, 3), tensor('dense/kernel', 'dense/kernel', 12, 2),
  ];

  it('legacy .h5: layer_names and weight_names follow the layout (kernel, bias), not arrival order', async () => {
    const p = out('layout.h5');
    const w = createKerasH5Writer(p, { layout });
    for (const t of arrivals()) await w.write(t);
    await w.finish();
    const r = await openKeras(p);
    try {
      expect(r.layers?.().map((l) => [l.name, l.weights])).toEqual([
        ['dense', ['dense/dense/kernel:0', 'dense/dense/bias:0']], ['empty', []], ['out', ['out/out/kernel:0', 'out/out/bias:0']],
      ]);
      expect((await r.read('dense/kernel')).shape).toEqual([12]);
      expect(canonicalSha256(await r.read('out/bias'))).toBe(canonicalSha256(tensor('b2', 'b2', 2, 4)));
    } finally {
      await r.close();
    }
  });

  it('Keras 3 .weights.h5: variables at vars/<layout index> in class-derived groups', async () => {
    const p = out('layout.weights.h5');
    const w = createKerasWeightsH5Writer(p, { layout });
    for (const t of arrivals()) await w.write(t);
    await w.finish();
    const r = await openKeras(p);
    try {
      expect(r.list().map((t) => [t.key, t.shape[0]]).sort()).toEqual([
        ['layers/dense/vars/0', 12], ['layers/dense/vars/1', 3], ['layers/dense_1/vars/0', 6], ['layers/dense_1/vars/1', 2],
      ]);
      expect(r.layers?.().map((l) => l.name)).toContain('empty');
    } finally {
      await r.close();
    }
  });

  it('refuses a tensor outside the layout, and a layout tensor never written; leaves no file', async () => {
    const p = out('bad.h5');
    const w = createKerasH5Writer(p, { layout });
    const err = await w.write(tensor('nope', 'nope/x', 2, 0)).catch((e: unknown) => e);
    expect(isTfwError(err) && err.code).toBe('InvalidArgument');
    expect(String(err)).toContain('not in the writer\'s layout');
    await w.write(arrivals()[0]!);
    const err2 = await w.finish().catch((e: unknown) => e);
    expect(String(err2)).toMatch(/3 tensor\(s\) of the layout were never written: dense\/kernel, dense\/bias, out\/kernel/);
    await expect(openKeras(p)).rejects.toThrow();
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(tmp.path).filter((f) => f.includes('bad.h5'))).toEqual([]);
  });
});

describe('NULLPAD marking through object headers', () => {
  it('finds every fixed-length name list in its group\'s header, split lists included, without scanning the file', async () => {
    const p = out('headers.h5');
    const s = LegacyH5Stream.create(await nodeH5Api(), p, { modelConfig: { class_name: 'Sequential' } });
    // 3000 long layer names: layer_names is split into layer_names0 and layer_names1.
    for (let i = 0; i < 3000; i++) s.write(tensor(`t${i}`, `layer_with_a_long_name_${String(i).padStart(5, '0')}/kernel`, 2, i));
    s.finish();
    const expected = 2 + 3000; // layer_names0/1 on model_weights, weight_names on every layer
    expect(s.h5.fixedStringAttrs).toHaveLength(expected);
    expect(await patchFixedStringsInHeaders(p, s.h5.fixedStringObjects)).toBe(expected);
    // Patched already: a second walk finds nothing left to change.
    expect(await patchFixedStringsInHeaders(p, s.h5.fixedStringObjects)).toBe(0);
    if (python) {
      const d = await h5dump(p);
      expect(d.objects.model_weights!.attrs.layer_names0![0]).toBe('S28-ascii-nullpad');
      expect(d.objects['model_weights/layer_with_a_long_name_02999']!.attrs.weight_names![0]).toBe('S37-ascii-nullpad');
    }
  }, 60_000);
});
