/** checkTensor / checkTensorInfo: the one validation every writer runs at its boundary. */
import { describe, expect, it } from 'vitest';
import { checkTensor, checkTensorInfo, InvalidArgumentError, LimitExceededError, makeTensor, type TensorInfo } from '../src/index.js';

const info = (over: Partial<TensorInfo>): TensorInfo => ({ key: 'w', name: 'w', dtype: 'float32', shape: [10], byteLength: 40, ...over });

describe('checkTensorInfo (chunked tensors) and checkTensor', () => {
  it('accepts a tensor whose declared size matches its shape', () => {
    expect(() => checkTensorInfo(info({}), 'out.npz')).not.toThrow();
    expect(() => checkTensor(makeTensor('w', 'float32', [10], new Uint8Array(40)))).not.toThrow();
  });

  it.each([
    ['12 bytes declared for 10 floats', info({ byteLength: 12 }), /does not match its shape/],
    ['a negative dimension', info({ shape: [-1], byteLength: 0 }), /non-negative integers/],
    ['a fractional dimension', info({ shape: [1.5], byteLength: 6 }), /non-negative integers/],
    ['an empty key', info({ key: '' }), /empty key/],
    ['a NUL in the key', info({ key: 'a\0b' }), /NUL/],
  ])('refuses %s, naming the file and the entry', (_what, t, message) => {
    let err: unknown;
    try {
      checkTensorInfo(t, 'out.npz');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(String((err as Error).message)).toMatch(message);
    expect((err as InvalidArgumentError).file).toBe('out.npz');
  });

  it('refuses a shape past 2^53 elements as a limit', () => {
    expect(() => checkTensorInfo(info({ shape: [2 ** 40, 2 ** 20], byteLength: 0 }))).toThrow(LimitExceededError);
  });
});
