import { bytesOf, makeStringTensor, makeTensor, MemorySource, type Tensor } from '@tfweights/core';
import { seededRandom } from '@tfweights/testkit';
import { MemoryTfjsOutput, TfjsReader, writeTfjs, type TfjsWriteOptions } from '../src/codec.js';

export function f32(key: string, shape: number[], seed: number): Tensor {
  const rnd = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return makeTensor(key, 'float32', shape, bytesOf(Float32Array.from({ length: n }, () => rnd() * 2 - 1)));
}

export function i32(key: string, values: number[], shape = [values.length]): Tensor {
  return makeTensor(key, 'int32', shape, bytesOf(Int32Array.from(values)));
}

/** A model with every tfjs dtype, including strings (one empty) and a scalar. */
export function mixedTensors(): Tensor[] {
  return [
    f32('dense/kernel', [7, 5], 1),
    f32('dense/bias', [5], 2),
    i32('lookup/ids', [1, -2, 3, 2147483647, -2147483648]),
    makeTensor('mask/m', 'bool', [3], new Uint8Array([1, 0, 1])),
    makeTensor('fft/c', 'complex64', [2], bytesOf(new Float32Array([1, -1, 2.5, 0]))),
    makeStringTensor('vocab/words', [2, 2], ['héllo', '', 'tf', 'weights']),
    f32('scalar/s', [], 3),
  ];
}

/** Write to memory, then open the result with our reader. */
export async function roundTrip(tensors: readonly Tensor[], opts: TfjsWriteOptions = {}): Promise<{ out: MemoryTfjsOutput; reader: TfjsReader; reads: string[] }> {
  const out = new MemoryTfjsOutput();
  await writeTfjs(out, tensors, opts);
  const reads: string[] = [];
  const reader = await TfjsReader.open(out.files.get('model.json')!, {
    name: 'model.json',
    resolve: async (p) => {
      const bytes = out.files.get(p);
      if (!bytes) throw new Error(`no shard ${p}`);
      const src = new MemorySource(bytes, p);
      return { name: p, size: src.size, read: (o: number, l: number, w?: string) => (reads.push(`${p}@${o}+${l}`), src.read(o, l, w)) };
    },
  });
  return { out, reader, reads };
}
