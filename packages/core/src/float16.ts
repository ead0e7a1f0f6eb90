/**
 * IEEE binary16 and bfloat16 conversions. Narrowing rounds to nearest, ties to even, as
 * NumPy and TensorFlow do; NaN stays NaN (quiet) and overflow becomes infinity.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** binary16 bit pattern → number. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** number → binary16 bit pattern (via float32, round to nearest even). */
export function float32ToFloat16(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // too small even for a subnormal: ±0
    mant |= 0x800000; // make the implicit bit explicit, then shift into subnormal range
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let out = mant >>> shift;
    if (rest > half || (rest === half && (out & 1) === 1)) out++;
    return sign | out;
  }
  const rest = mant & 0x1fff;
  let out = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (out & 1) === 1)) out++; // may carry into the exponent: correct
  return sign | out;
}

/** bfloat16 bit pattern → number. */
export function bfloat16ToFloat32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** number → bfloat16 bit pattern (upper half of float32, round to nearest even). */
export function float32ToBfloat16(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Widen a whole array of 16-bit patterns to float32. */
export function widen16(bits: Uint16Array, kind: 'float16' | 'bfloat16'): Float32Array {
  const out = new Float32Array(bits.length);
  if (kind === 'bfloat16') {
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < bits.length; i++) o32[i] = bits[i]! << 16;
  } else {
    for (let i = 0; i < bits.length; i++) out[i] = float16ToFloat32(bits[i]!);
  }
  return out;
}

/** Narrow a float array to 16-bit patterns (round to nearest even). */
export function narrow16(values: ArrayLike<number>, kind: 'float16' | 'bfloat16'): Uint16Array {
  const out = new Uint16Array(values.length);
  const fn = kind === 'bfloat16' ? float32ToBfloat16 : float32ToFloat16;
  for (let i = 0; i < values.length; i++) out[i] = fn(values[i]!);
  return out;
}
