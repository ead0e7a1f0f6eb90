import { describe, expect, it } from 'vitest';
import {
  COMMON_DTYPES, DTYPES, dtypeFromNpy, dtypeFromTfEnum, dtypeInfo, isTfwError, makeStringTensor, makeTensor,
  numElements, TensorNotFoundError, toFloat64, typedValues, UnsupportedDtypeError,
} from '../src/index.js';

describe('dtype table', () => {
  it('covers TensorFlow enum numbers 1–32 and their REF variants', () => {
    for (let n = 1; n <= 32; n++) expect(dtypeFromTfEnum(n).tfEnum).toBe(n);
    expect(dtypeFromTfEnum(101).name).toBe('float32');
    expect(dtypeFromTfEnum(19).tfName).toBe('DT_HALF');
    expect(dtypeFromTfEnum(2).tfName).toBe('DT_DOUBLE');
    expect(() => dtypeFromTfEnum(99, 'x.index')).toThrow(UnsupportedDtypeError);
    expect(DTYPES).toHaveLength(32);
  });
  it('maps spellings across formats', () => {
    expect(dtypeFromNpy('<f2')?.name).toBe('float16');
    expect(dtypeInfo('bfloat16').safetensors).toBe('BF16');
    expect(dtypeInfo('complex64').componentSize).toBe(4);
    expect(COMMON_DTYPES).toEqual(expect.arrayContaining(['float16', 'bfloat16', 'string', 'complex128', 'uint64']));
  });
});

describe('tensors', () => {
  it('gives typed views without copying aligned data', () => {
    const buf = new Float32Array([1, 2, 3, 4]);
    const t = makeTensor('k', 'float32', [2, 2], new Uint8Array(buf.buffer));
    const v = typedValues(t) as Float32Array;
    expect(v.buffer).toBe(buf.buffer);
    expect(Array.from(v)).toEqual([1, 2, 3, 4]);
  });
  it('copies when unaligned, reads int64 as bigint', () => {
    const raw = new Uint8Array(17);
    new DataView(raw.buffer).setBigInt64(1, -5n, true);
    new DataView(raw.buffer).setBigInt64(9, 2n ** 40n, true);
    const t = makeTensor('k', 'int64', [2], raw.subarray(1));
    expect(Array.from(typedValues(t) as BigInt64Array)).toEqual([-5n, 2n ** 40n]);
    expect(Array.from(toFloat64(t))).toEqual([-5, 2 ** 40]);
  });
  it('checks byte counts and shapes', () => {
    expect(() => makeTensor('k', 'float32', [3], new Uint8Array(8))).toThrow(/needs 12 bytes/);
    expect(() => numElements([2, -1])).toThrow(/invalid dimension/);
    expect(numElements([])).toBe(1);
    const s = makeStringTensor('s', [2], ['ab', new Uint8Array([0xff])]);
    expect(s.byteLength).toBe(3);
  });
  it('TensorNotFound suggests the nearest names and is a tagged error', () => {
    const e = new TensorNotFoundError('dense/kernal', ['dense/kernel', 'dense/bias', 'conv/kernel'], { file: 'm.h5' });
    expect(e.suggestions[0]).toBe('dense/kernel');
    expect(e.message).toMatch(/^m\.h5: no tensor named 'dense\/kernal'; nearest: 'dense\/kernel'/);
    expect(isTfwError(e)).toBe(true);
    expect(isTfwError(new Error('x'))).toBe(false);
  });
});

describe('mapValues', () => {
  it('keeps dtype, rounds 16-bit floats and refuses integer overflow', async () => {
    const { mapValues: map, float32ToFloat16: f16 } = await import('../src/index.js');
    const f = makeTensor('k', 'float32', [3], new Uint8Array(new Float32Array([1, -2, 0.5]).buffer));
    expect(Array.from(typedValues(map(f, (v) => v * 0.8)) as Float32Array)).toEqual([0.8, -1.6, 0.4].map(Math.fround));
    const h = makeTensor('h', 'float16', [2], new Uint8Array(new Uint16Array([f16(1), f16(3)]).buffer));
    expect(Array.from(typedValues(map(h, (v) => v / 3)) as Uint16Array)).toEqual([f16(1 / 3), f16(1)]);
    const i = makeTensor('i', 'int8', [2], new Uint8Array([100, 5]));
    expect(() => map(i, (v) => v * 2)).toThrow(/does not fit int8/);
    expect(Array.from(typedValues(map(i, (v, n) => v + n)) as Int8Array)).toEqual([100, 6]);
  });
});
