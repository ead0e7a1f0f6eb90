/** Shared helpers of the keras-tfjs tests: tfjs on the CPU backend, tensors from numbers. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { makeTensor, type Tensor } from '@tfweights/core';

export async function cpu(): Promise<typeof tf> {
  await tf.setBackend('cpu');
  return tf;
}

export function f32(key: string, shape: number[], values: number[]): Tensor {
  return makeTensor(key, 'float32', shape, new Uint8Array(new Float32Array(values).buffer));
}

/** Largest absolute difference of two equally shaped nested arrays. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
}
