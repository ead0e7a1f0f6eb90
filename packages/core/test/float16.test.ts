import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from '../src/index.js';

describe('float16 and bfloat16', () => {
  it('round-trips every float16 pattern exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = float16ToFloat32(bits);
      if (Number.isNaN(v)) continue;
      expect(float32ToFloat16(v)).toBe(bits);
    }
  });
  it('rounds to nearest even when narrowing', () => {
    expect(float32ToFloat16(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(float32ToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(float32ToFloat16(65520)).toBe(0x7c00); // rounds to infinity
    expect(float32ToFloat16(2 ** -25)).toBe(0); // tie at smallest subnormal → even (0)
    expect(float32ToFloat16(1.5 * 2 ** -25)).toBe(1);
    expect(float32ToFloat16(NaN) & 0x7c00).toBe(0x7c00);
  });
  it('bfloat16 keeps the upper half with round to nearest even', () => {
    expect(float32ToBfloat16(1)).toBe(0x3f80);
    expect(bfloat16ToFloat32(0x3f80)).toBe(1);
    expect(float32ToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(float32ToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bfloat16ToFloat32(float32ToBfloat16(NaN)))).toBe(true);
  });
});
