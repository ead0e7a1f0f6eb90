/**
 * FarmHash `Fingerprint64` (farmhash.h: `Fingerprint64` = `farmhashna::Hash64`), the hash
 * TensorFlow stores as `FingerprintDef.checkpoint_hash` over the raw `variables.index` bytes
 * (tensorflow/cc/saved_model/fingerprinting_utils.cc `HashCheckpointIndexFile`, via
 * tensorflow/core/platform/fingerprint.h `Fingerprint64`). Written from the published
 * algorithm with BigInt arithmetic mod 2^64; index files are small, so speed does not matter.
 */
const M64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const add = (a: bigint, b: bigint): bigint => (a + b) & M64;
const mul = (a: bigint, b: bigint): bigint => (a * b) & M64;
const rotr = (v: bigint, s: bigint): bigint => (s === 0n ? v : ((v >> s) | (v << (64n - s))) & M64);
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function fetch64(d: DataView, i: number): bigint {
  return d.getBigUint64(i, true);
}
function fetch32(d: DataView, i: number): bigint {
  return BigInt(d.getUint32(i, true));
}

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function len0to16(s: Uint8Array, d: DataView): bigint {
  const len = s.length;
  const n = BigInt(len);
  if (len >= 8) {
    const m = add(K2, n * 2n);
    const a = add(fetch64(d, 0), K2);
    const b = fetch64(d, len - 8);
    const c = add(mul(rotr(b, 37n), m), a);
    const e = mul(add(rotr(a, 25n), b), m);
    return hashLen16(c, e, m);
  }
  if (len >= 4) {
    const m = add(K2, n * 2n);
    const a = fetch32(d, 0);
    return hashLen16(add(n, a << 3n), fetch32(d, len - 4), m);
  }
  if (len > 0) {
    const a = BigInt(s[0]!);
    const b = BigInt(s[len >> 1]!);
    const c = BigInt(s[len - 1]!);
    const y = a + (b << 8n);
    const z = n + (c << 2n);
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function len17to32(s: Uint8Array, d: DataView): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(d, 0), K1);
  const b = fetch64(d, 8);
  const c = mul(fetch64(d, len - 8), m);
  const e = mul(fetch64(d, len - 16), K2);
  return hashLen16(add(add(rotr(add(a, b), 43n), rotr(c, 30n)), e), add(add(a, rotr(add(b, K2), 18n)), c), m);
}

function len33to64(s: Uint8Array, d: DataView): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(d, 0), K2);
  const b = fetch64(d, 8);
  const c = mul(fetch64(d, len - 8), m);
  const e = mul(fetch64(d, len - 16), K2);
  const y = add(add(rotr(add(a, b), 43n), rotr(c, 30n)), e);
  const z = hashLen16(y, add(add(a, rotr(add(b, K2), 18n)), c), m);
  const ee = mul(fetch64(d, 16), m);
  const f = fetch64(d, 24);
  const g = mul(add(y, fetch64(d, len - 32)), m);
  const h = mul(add(z, fetch64(d, len - 24)), m);
  return hashLen16(add(add(rotr(add(ee, f), 43n), rotr(g, 30n)), h), add(add(ee, rotr(add(f, a), 18n)), g), m);
}

/** WeakHashLen32WithSeeds over the 32 bytes at `i`. */
function weak32(d: DataView, i: number, a0: bigint, b0: bigint): [bigint, bigint] {
  const w = fetch64(d, i);
  const x = fetch64(d, i + 8);
  const y = fetch64(d, i + 16);
  const z = fetch64(d, i + 24);
  let a = add(a0, w);
  let b = rotr(add(add(b0, a), z), 21n);
  const c = a;
  a = add(a, x);
  a = add(a, y);
  b = add(b, rotr(a, 44n));
  return [add(a, z), add(b, c)];
}

/** FarmHash Fingerprint64 of `s`, as an unsigned 64-bit bigint. */
export function fingerprint64(s: Uint8Array): bigint {
  const d = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const len = s.length;
  if (len <= 16) return len0to16(s, d);
  if (len <= 32) return len17to32(s, d);
  if (len <= 64) return len33to64(s, d);

  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(d, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  let p = 0;
  do {
    x = mul(rotr(add(add(add(x, y), v[0]), fetch64(d, p + 8)), 37n), K1);
    y = mul(rotr(add(add(y, v[1]), fetch64(d, p + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, add(v[0], fetch64(d, p + 40)));
    z = mul(rotr(add(z, w[0]), 33n), K1);
    v = weak32(d, p, mul(v[1], K1), add(x, w[0]));
    w = weak32(d, p + 32, add(z, w[1]), add(y, fetch64(d, p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  p = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rotr(add(add(add(x, y), v[0]), fetch64(d, p + 8)), 37n), m);
  y = mul(rotr(add(add(y, v[1]), fetch64(d, p + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, add(mul(v[0], 9n), fetch64(d, p + 40)));
  z = mul(rotr(add(z, w[0]), 33n), m);
  v = weak32(d, p, mul(v[1], m), add(x, w[0]));
  w = weak32(d, p + 32, add(z, w[1]), add(y, fetch64(d, p + 16)));
  [z, x] = [x, z];
  return hashLen16(add(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0)), z), add(hashLen16(v[1], w[1], m), x), m);
}
