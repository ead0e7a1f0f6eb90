/**
 * The Keras output adapters name and order non-Keras tensors from the conversion plan, before
 * the first tensor arrives, and stream: no tensor is held once written.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import { canonicalSha256, tempDir } from '@tfweights/testkit';
import { openKeras } from '@tfweights/keras/node';
import { keras3Adapter, kerasH5Adapter } from '../src/formats/keras.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const tmp = tempDir('tfw-keras-adapter-');
afterAll(() => tmp.cleanup());
let n = 0;
const out = (name: string): string => join(tmp.path, `${n++}-${name}`);

function tensor(key: string, shape: number[], seed: number, attrs?: Record<string, string>): Tensor {
  const v = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => seed + i / 100);
  return { ...makeTensor(key, 'float32', shape, new Uint8Array(v.buffer)), ...(attrs ? { attrs } : {}) };
}

const info = ({ data: _d, ...i }: Tensor): TensorInfo => i;

/** A stand-in for an opened checkpoint: only what the adapters look at. */
const checkpoint = { format: 'checkpoint', source: '/nonexistent/ckpt', list: () => [], metadata: {} } as unknown as TensorReader;

describe('Keras adapters: names and order from the plan', () => {
  // A TF1 checkpoint stores variables sorted by name: bias before kernel.
  const tf1 = (): Tensor[] => [
    tensor('dense/bias', [4], 1), tensor('dense/kernel', [3, 4], 2), tensor('dense_1/bias', [2], 3), tensor('dense_1/kernel', [4, 2], 4),
  ];

  it('TF1-style bias-before-kernel input → legacy .h5 weight_names kernel, bias', async () => {
    const p = out('tf1.h5');
    const ts = tf1();
    const w = await kerasH5Adapter.create!(p, { overwrite: false, source: checkpoint, plan: ts.map(info) });
    for (const t of ts) await w.write(t);
    await w.finish();
    const r = await openKeras(p);
    try {
      expect(r.layers?.().map((l) => [l.name, l.weights])).toEqual([
        ['dense', ['dense/dense/kernel:0', 'dense/dense/bias:0']], ['dense_1', ['dense_1/dense_1/kernel:0', 'dense_1/dense_1/bias:0']],
      ]);
      expect(canonicalSha256(await r.read('dense/kernel'))).toBe(canonicalSha256(ts[1]!));
    } finally {
      await r.close();
    }
  });

  it('TF2 object paths are named by a unique full_name; Keras 3 gets kernel at vars/0', async () => {
    const p = out('tf2.weights.h5');
    const ts = [
      tensor('model/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE', [4], 1, { full_name: 'sequential/dense/bias:0' }),
      tensor('model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE', [3, 4], 2, { full_name: 'sequential/dense/kernel:0' }),
    ];
    const w = await keras3Adapter.create!(p, { overwrite: false, source: checkpoint, plan: ts.map(info) });
    for (const t of ts) await w.write(t);
    await w.finish();
    const r = await openKeras(p);
    try {
      expect(r.list().map((t) => [t.key, t.shape])).toEqual([['layers/dense/vars/0', [3, 4]], ['layers/dense/vars/1', [4]]]);
    } finally {
      await r.close();
    }
  });

  it('holds no tensor once written (WeakRef + GC after each write)', async () => {
    const p = out('stream.h5');
    const plan = tf1().map(info);
    const w = await kerasH5Adapter.create!(p, { overwrite: false, source: checkpoint, plan });
    const refs: WeakRef<ArrayBuffer>[] = [];
    const produce = (i: number): Tensor => {
      const t = tf1()[i]!;
      refs.push(new WeakRef(t.data.buffer as ArrayBuffer));
      return t;
    };
    for (let i = 0; i < plan.length; i++) {
      await w.write(produce(i));
      await new Promise((r) => setImmediate(r));
      gc();
      expect(refs.filter((r) => r.deref() !== undefined), `after tensor ${i}`).toHaveLength(0);
    }
    await w.finish();
    const r = await openKeras(p);
    try {
      expect(r.list()).toHaveLength(4);
    } finally {
      await r.close();
    }
  });
});
