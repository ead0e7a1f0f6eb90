import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  bytesOf, InvalidArgumentError, LimitExceededError, makeStringTensor, makeTensor, MemorySource, toFloat64, TensorNotFoundError,
  typedValues, UnsupportedDtypeError,
} from '@tfweights/core';
import { EditableWeights, fromTfTensor, getWeights, MemoryTfjsOutput, readerIOHandler, TfjsReader, toTfTensor, writeTfjs } from '../src/index.js';
import { f32, i32, mixedTensors, roundTrip } from './helpers.js';

await tf.setBackend('cpu');

describe('toTfTensor / fromTfTensor', () => {
  it('round-trips every tfjs dtype exactly', async () => {
    for (const t of mixedTensors()) {
      const x = toTfTensor(t);
      expect(x.dtype).toBe(t.dtype);
      expect(x.shape).toEqual(t.shape);
      const back = await fromTfTensor(x, t.key);
      x.dispose();
      if (t.dtype === 'string') expect(back.strings).toEqual(t.strings);
      else expect(Array.from(back.data)).toEqual(Array.from(t.data));
    }
  });

  it('widens and narrows only on request, and never wraps integers', async () => {
    const u8 = makeTensor('u', 'uint8', [3], new Uint8Array([0, 128, 255]));
    const f16 = makeTensor('h', 'float16', [2], bytesOf(new Uint16Array([0x3c00, 0xc000])));
    const i64 = makeTensor('i', 'int64', [2], bytesOf(new BigInt64Array([3n, -4n])));
    const big = makeTensor('b', 'int64', [1], bytesOf(new BigInt64Array([2n ** 33n])));
    const f64 = makeTensor('d', 'float64', [1], bytesOf(new Float64Array([1 / 3])));
    for (const t of [u8, f16, i64, f64]) expect(() => toTfTensor(t)).toThrow(UnsupportedDtypeError);
    expect(Array.from(toTfTensor(u8, { widen: true }).dataSync())).toEqual([0, 128, 255]);
    expect(Array.from(toTfTensor(f16, { widen: true }).dataSync())).toEqual([1, -2]);
    expect(() => toTfTensor(i64, { widen: true })).toThrow(/allowLossy|downcast/);
    expect(Array.from(toTfTensor(i64, { allowLossy: true }).dataSync())).toEqual([3, -4]);
    expect(() => toTfTensor(big, { allowLossy: true })).toThrow(LimitExceededError);
    expect(toTfTensor(f64, { allowLossy: true }).dataSync()[0]).toBe(Math.fround(1 / 3));
    expect(() => toTfTensor(makeTensor('c', 'complex128', [1], new Uint8Array(16)))).toThrow(UnsupportedDtypeError);
  });

  it('converts tf tensors to a requested dtype, refusing overflow and unrequested rounding', async () => {
    const ints = tf.tensor1d([1, -2, 300], 'int32');
    expect(Array.from(typedValues(await fromTfTensor(ints, 'x', { dtype: 'int64' })) as BigInt64Array)).toEqual([1n, -2n, 300n]);
    expect(Array.from(typedValues(await fromTfTensor(ints, 'x', { dtype: 'int16' })) as Int16Array)).toEqual([1, -2, 300]);
    await expect(fromTfTensor(ints, 'x', { dtype: 'int8' })).rejects.toBeInstanceOf(LimitExceededError);
    await expect(fromTfTensor(ints, 'x', { dtype: 'uint16' })).rejects.toBeInstanceOf(LimitExceededError);
    const floats = tf.tensor1d([0.1, 2]);
    expect(toFloat64(await fromTfTensor(floats, 'f', { dtype: 'float64' }))[0]).toBe(Math.fround(0.1));
    await expect(fromTfTensor(floats, 'f', { dtype: 'float16' })).rejects.toBeInstanceOf(UnsupportedDtypeError);
    expect(Array.from(toFloat64(await fromTfTensor(floats, 'f', { dtype: 'bfloat16', allowLossy: true })))).toEqual([0.10009765625, 2]);
    await expect(fromTfTensor(floats, 'f', { dtype: 'int32' })).rejects.toBeInstanceOf(LimitExceededError);
    const c = tf.complex([1, 2], [3, 4]);
    const ct = await fromTfTensor(c, 'c');
    expect(Array.from(typedValues(ct) as Float32Array)).toEqual([1, 3, 2, 4]);
    const s = await fromTfTensor(tf.tensor(['a', 'bc']), 's');
    expect(s).toMatchObject({ dtype: 'string', shape: [2] });
    expect(s.strings!.map((b) => new TextDecoder().decode(b))).toEqual(['a', 'bc']);
    tf.dispose([ints, floats, c]);
    void makeStringTensor;
  });
});

describe('getWeights / setWeights', () => {
  const topology = {
    keras_version: '2.15.0', backend: 'tensorflow',
    model_config: { class_name: 'Sequential', config: { name: 'seq', layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', name: 'input_1' } },
      { class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'linear', use_bias: true, dtype: 'float32', trainable: true } },
    ] } },
  };
  const kernel = makeTensor('dense/kernel', 'float32', [3, 2], bytesOf(new Float32Array([1, 2, 3, 4, 5, 6])));
  const bias = makeTensor('dense/bias', 'float32', [2], bytesOf(new Float32Array([0.5, -0.5])));

  it('reads a layer like Keras get_weights() and writes it back like set_weights() with shape checks', async () => {
    const { reader } = await roundTrip([kernel, bias], { modelTopology: topology });
    expect(reader.layers().map((l) => [l.name, l.className, l.weights])).toEqual([['input_1', 'InputLayer', []], ['dense', 'Dense', ['dense/kernel', 'dense/bias']]]);
    const [k, b] = await getWeights(reader, 'dense');
    expect(k!.shape).toEqual([3, 2]);
    expect(Array.from(b!.dataSync())).toEqual([0.5, -0.5]);
    await expect(getWeights(reader, 'dens')).rejects.toBeInstanceOf(TensorNotFoundError);

    const edit = await EditableWeights.fromReader(reader);
    await expect(edit.setWeights('dense', [k!])).rejects.toThrow(/expects 2 weight/);
    await expect(edit.setWeights('dense', [tf.transpose(k!), b!])).rejects.toThrow(/not compatible/);
    await expect(edit.setWeights('dense', [k!, b!], {})).resolves.toBeUndefined();
    await edit.setWeights('dense', [tf.mul(k!, 2), b!]);
    expect(Array.from(toFloat64(edit.tensors()[0]!))).toEqual([2, 4, 6, 8, 10, 12]);
    tf.dispose([k!, b!]);
  });

  it('a Keras-style topology written by us loads in tfjs-layers and predicts x·W + b', async () => {
    const out = new MemoryTfjsOutput();
    await writeTfjs(out, [kernel, bias], { modelTopology: topology, generatedBy: 'keras v2.15.0', convertedBy: 'tfweights' });
    const reader = await TfjsReader.open(out.files.get('model.json')!, { resolve: async (p) => new MemorySource(out.files.get(p)!, p) });
    const model = await tfl.loadLayersModel(readerIOHandler(reader));
    const y = model.predict(tf.tensor2d([[1, 1, 1]])) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1 + 3 + 5 + 0.5, 2 + 4 + 6 - 0.5]);
  });

  it('layers fall back to name prefixes for readers without a topology', async () => {
    const { reader } = await roundTrip([f32('a/x', [1], 1), i32('b/y', [1]), f32('a/z', [2], 2)]);
    const edit = await EditableWeights.fromReader({ ...reader, layers: undefined, list: () => reader.list(), tensors: () => reader.tensors(), read: (k) => reader.read(k), source: 'x', format: 'tfjs', close: async () => undefined });
    expect(edit.layers().map((l) => [l.name, l.weights])).toEqual([['a', ['a/x', 'a/z']], ['b', ['b/y']]]);
    await expect(edit.setWeights('b', [tf.tensor1d([2 ** 31], 'float32')])).rejects.toBeInstanceOf(LimitExceededError);
    await edit.setWeights('b', [tf.tensor1d([7], 'int32')]);
    expect(edit.tensors()[1]!.dtype).toBe('int32');
    void InvalidArgumentError;
  });
});
