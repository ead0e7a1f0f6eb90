/**
 * Slicing-by-8 CRC for any reflected 32-bit polynomial: CRC-32C (0x82F63B78, TensorFlow) and
 * zip's CRC-32 (0xEDB88320) share this code and differ only in their tables.
 */

type Tables = [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];

function tablesFor(poly: number): Tables {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256)) as Tables;
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[0][i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 8; s++) t[s]![i] = (t[s - 1]![i]! >>> 8) ^ t[0][t[s - 1]![i]! & 0xff]!;
  }
  return t;
}

/** A portable CRC function `(data, crc = 0) => crc` continuing a finished CRC value. */
export function slicingBy8(poly: number): (data: Uint8Array, crc?: number) => number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tablesFor(poly);
  return (data, crc = 0) => {
    let c = ~crc >>> 0;
    let i = 0;
    const n = data.length;
    const end8 = n - (n % 8);
    for (; i < end8; i += 8) {
      const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]!
        ^ t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
    }
    for (; i < n; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    return ~c >>> 0;
  };
}
