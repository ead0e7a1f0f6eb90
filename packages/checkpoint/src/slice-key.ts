/**
 * Encoded keys of partitioned-tensor slices (EncodeTensorNameSlice in
 * tensorflow/core/util/saved_tensor_slice_util.cc, OrderedCode from
 * tensorflow/core/lib/strings/ordered_code.cc; FORMATS.md §2.6).
 */
import type { SliceExtent } from './bundle-proto.js';

function numIncreasing(out: number[], v: number): void {
  const bytes: number[] = [];
  let x = BigInt(v);
  while (x > 0n) {
    bytes.unshift(Number(x & 0xffn));
    x >>= 8n;
  }
  out.push(bytes.length, ...bytes);
}

function orderedString(out: number[], s: Uint8Array): void {
  for (const b of s) {
    if (b === 0x00) out.push(0x00, 0xff);
    else if (b === 0xff) out.push(0xff, 0x00);
    else out.push(b);
  }
  out.push(0x00, 0x01);
}

/** Header bits of the first two bytes for an n-byte SignedNumIncreasing (ordered_code.cc kLengthToHeaderBits). */
const HEADER_BITS: Record<number, [number, number]> = {
  1: [0x80, 0x00], 2: [0xc0, 0x00], 3: [0xe0, 0x00], 4: [0xf0, 0x00], 5: [0xf8, 0x00],
  6: [0xfc, 0x00], 7: [0xfe, 0x00], 8: [0xff, 0x00], 9: [0xff, 0x80], 10: [0xff, 0xc0],
};

function signedNumIncreasing(out: number[], v: number): void {
  const x = BigInt(v);
  const magnitude = x < 0n ? ~x : x;
  if (magnitude < 64n) {
    out.push(0x80 ^ Number(BigInt.asUintN(8, x)));
    return;
  }
  // n bytes hold values in [-2^(7n-1), 2^(7n-1)).
  let n = 2;
  while (magnitude >= 1n << BigInt(7 * n - 1)) n++;
  const bytes: number[] = [];
  let u = BigInt.asUintN(80, x);
  for (let i = 0; i < n; i++) {
    bytes.unshift(Number(u & 0xffn));
    u >>= 8n;
  }
  const [h0, h1] = HEADER_BITS[n]!;
  // The sign-extended value has its top bits equal to the sign; XOR turns them into the length header.
  bytes[0] = bytes[0]! ^ h0;
  bytes[1] = bytes[1]! ^ h1;
  out.push(...bytes);
}

/** The table key of one slice of `name` (full dimensions encoded as start 0, length -1). */
export function encodeSliceKey(name: string, extents: readonly SliceExtent[]): Uint8Array {
  const out: number[] = [];
  numIncreasing(out, 0);
  orderedString(out, new TextEncoder().encode(name));
  numIncreasing(out, extents.length);
  for (const e of extents) {
    if (e.length === undefined) {
      signedNumIncreasing(out, 0);
      signedNumIncreasing(out, -1);
    } else {
      signedNumIncreasing(out, e.start);
      signedNumIncreasing(out, e.length);
    }
  }
  return Uint8Array.from(out);
}

/** A readable label for a slice, in TF's TensorSlice::DebugString style (`0,2:-` ). */
export function sliceSpec(extents: readonly SliceExtent[]): string {
  return extents.map((e) => (e.length === undefined ? '-' : `${e.start},${e.length}`)).join(':');
}
