import { describe, expect, it } from 'vitest';
import { Crc32c, crc32c, crc32cPortable, maskCrc32c, unmaskCrc32c } from '../src/index.js';
import { crc32, crc32Portable } from '../src/zip/index.js';
import { installNativeCrc32c, installNativeCrc32cOnFirstUse } from '../src/node/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the check value and TF mask facts (FORMATS.md §0.2)', () => {
    expect(crc32cPortable(enc('123456789'))).toBe(0xe3069283);
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    // float32 [1, 2] from the worked example of §2.2.6
    const data = new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
    expect(crc32cPortable(data)).toBe(0x28c0c9b1);
    expect(maskCrc32c(0x28c0c9b1)).toBe(0x35e53c59);
    expect(unmaskCrc32c(0x35e53c59)).toBe(0x28c0c9b1);
  });

  it('extends incrementally and agrees with the native implementation on odd lengths', () => {
    const bytes = new Uint8Array(10_007).map((_, i) => (i * 2654435761) >>> 24);
    const whole = crc32cPortable(bytes);
    let c = 0;
    for (let i = 0; i < bytes.length; i += 333) c = crc32cPortable(bytes.subarray(i, i + 333), c);
    expect(c).toBe(whole);
    expect(installNativeCrc32c()).toBe(true);
    expect(crc32c(bytes)).toBe(whole);
    expect(crc32c(bytes.subarray(3, 9000), crc32c(bytes.subarray(0, 3)))).toBe(crc32cPortable(bytes.subarray(0, 9000)));
    expect(new Crc32c().update(bytes.subarray(0, 5)).update(bytes.subarray(5)).value()).toBe(whole);
  });

  it('installed on first use: small inputs (portable) and large ones (native) continue each other exactly', () => {
    const big = new Uint8Array(200_000).map((_, i) => (i * 2246822519) >>> 24);
    installNativeCrc32cOnFirstUse();
    const small = crc32c(big.subarray(0, 100));
    expect(small).toBe(crc32cPortable(big.subarray(0, 100)));
    expect(crc32c(big.subarray(100), small)).toBe(crc32cPortable(big));
    expect(crc32(big.subarray(100), crc32(big.subarray(0, 100)))).toBe(crc32Portable(big));
  });
});
