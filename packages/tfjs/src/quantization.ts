/**
 * Weight quantization as tfjs stores it. Decoding follows tfjs-core `io/io_utils.ts`
 * `decodeWeight` (the consumer): float32 = q × scale + min rounded to float32; int32 =
 * Math.round(q × scale + min); float16 widened exactly. Encoding follows the converter
 * (`tfjs-converter/python/tensorflowjs/quantization.py`): affine range nudged so 0 is exact.
 */
import { float16ToFloat32, float32ToFloat16, InvalidArgumentError, type DTypeName } from '@tfweights/core';
import type { QuantizationDtype, WeightQuantization } from './model-json.js';

/** Bytes per stored element of a quantization dtype. */
export function quantizedItemSize(q: QuantizationDtype): number {
  return q === 'uint8' ? 1 : 2;
}

/** Decode stored quantized bytes to little-endian float32 or int32 bytes. */
export function dequantize(stored: Uint8Array, q: WeightQuantization, dtype: 'float32' | 'int32'): Uint8Array {
  const n = stored.byteLength / quantizedItemSize(q.dtype);
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  const get = q.dtype === 'uint8' ? (i: number) => stored[i]! : (i: number) => view.getUint16(2 * i, true);
  if (q.dtype === 'float16') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = float16ToFloat32(get(i));
    return new Uint8Array(out.buffer);
  }
  const scale = q.scale!;
  const min = q.min!;
  if (dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(get(i) * scale + min);
    return new Uint8Array(out.buffer);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = get(i) * scale + min;
  return new Uint8Array(out.buffer);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Quantize float32 values the way the converter does. Returns the stored bytes and the
 * manifest's `quantization` object (keys in the converter's order: dtype, min, scale,
 * original_dtype).
 */
export function quantize(values: Float32Array, q: QuantizationDtype, originalDtype: DTypeName = 'float32'): { bytes: Uint8Array; quantization: WeightQuantization } {
  if (q === 'float16') {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16(values[i]!);
    return { bytes: new Uint8Array(out.buffer), quantization: { dtype: 'float16', original_dtype: originalDtype } };
  }
  if (values.length === 0) throw new InvalidArgumentError('cannot quantize an empty tensor (no min/max)');
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`cannot ${q}-quantize non-finite value ${v}`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const qmax = q === 'uint8' ? 255 : 65535;
  const out = q === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  if (lo === hi) return { bytes: new Uint8Array(out.buffer), quantization: { dtype: q, min: lo, scale: 1, original_dtype: originalDtype } };
  const scale = (hi - lo) / qmax;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zero = roundHalfEven((0 - lo) / scale);
    min = -zero * scale;
    max = qmax * scale + min;
  }
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(Math.max(values[i]!, min), max);
    out[i] = Math.min(qmax, Math.max(0, roundHalfEven((v - min) / scale)));
  }
  return { bytes: new Uint8Array(out.buffer), quantization: { dtype: q, min, scale, original_dtype: originalDtype } };
}
