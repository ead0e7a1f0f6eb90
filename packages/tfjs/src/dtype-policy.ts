/**
 * Which dtypes a tfjs manifest can hold, and the explicit conversions for the rest.
 * tfjs-core decodes only float32, int32, bool, complex64 and string (plus uint8/uint16/
 * float16 quantization of float32/int32); the Python converter silently casts float64,
 * int64 and complex128 down (`write_weights.py` `_AUTO_DTYPE_CONVERSION`). Here every
 * conversion must be asked for, and narrowing refuses values that would not survive.
 */
import {
  bytesOf, LimitExceededError, numElements, toFloat32, typedValues, UnsupportedDtypeError,
  type DTypeName, type Tensor, type TensorInfo,
} from '@tfweights/core';

/** dtypes tfjs stores natively. */
export const TFJS_DTYPES: readonly DTypeName[] = ['float32', 'int32', 'bool', 'complex64', 'string'];

export interface DtypeConversionOptions {
  /**
   * Narrow like the converter: float64 → float32 (rounded), complex128 → complex64,
   * int64/uint64/uint32 → int32 (refused with LimitExceededError if a value does not fit).
   */
  downcast?: boolean;
  /** Widen losslessly: int8/uint8/int16/uint16 → int32, float16/bfloat16 → float32. */
  widen?: boolean;
}

const WIDEN: Partial<Record<DTypeName, DTypeName>> = {
  int8: 'int32', uint8: 'int32', int16: 'int32', uint16: 'int32', float16: 'float32', bfloat16: 'float32',
};
const DOWNCAST: Partial<Record<DTypeName, DTypeName>> = {
  float64: 'float32', complex128: 'complex64', int64: 'int32', uint64: 'int32', uint32: 'int32',
};

/** The dtype a tensor of `dtype` is stored as under these options; throws when none applies. */
export function tfjsStorageDtype(info: Pick<TensorInfo, 'dtype' | 'key'>, opts: DtypeConversionOptions, file?: string): DTypeName {
  const d = info.dtype;
  if (TFJS_DTYPES.includes(d)) return d;
  if (opts.widen && WIDEN[d]) return WIDEN[d];
  if (opts.downcast && DOWNCAST[d]) return DOWNCAST[d];
  const hint = WIDEN[d] ? ` (pass widen: true to store it losslessly as ${WIDEN[d]})` : DOWNCAST[d] ? ` (pass downcast: true to store it as ${DOWNCAST[d]}, as the tfjs converter does)` : '';
  throw new UnsupportedDtypeError(`tfjs cannot store dtype ${d}${hint}`, { file, entry: info.key, expected: TFJS_DTYPES.join(', ') });
}

/** The little-endian bytes of `t` converted to `target` (one of the tfjs dtypes). */
export function convertData(t: Tensor, target: DTypeName, file?: string): Uint8Array {
  if (t.dtype === target) return t.data;
  const n = numElements(t.shape);
  if (target === 'float32') {
    // float64 → float32 rounds to nearest, as NumPy's astype does; float16/bfloat16 widen exactly.
    return bytesOf(Float32Array.from(toFloat32(t)));
  }
  if (target === 'complex64') return bytesOf(Float32Array.from(typedValues(t) as Float64Array));
  if (target === 'int32') {
    const v = typedValues(t);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      const num = typeof x === 'bigint' ? x : BigInt(x);
      if (num < -2147483648n || num > 2147483647n) {
        throw new LimitExceededError(`value ${num} at index ${i} does not fit in int32; refusing to wrap it`, { file, entry: t.key });
      }
      out[i] = Number(num);
    }
    return bytesOf(out);
  }
  throw new UnsupportedDtypeError(`no conversion from ${t.dtype} to ${target}`, { file, entry: t.key });
}
