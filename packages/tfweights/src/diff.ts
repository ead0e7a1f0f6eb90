/**
 * Compare two readers across formats. Tensors pair by key, then by their loose readable name
 * (`matchForm`). Values compare as float64 with |a − b| ≤ atol + rtol·|b|; identical bytes are
 * equal without conversion (so int64 beyond 2^53 compares exactly). NaN equals NaN in the same
 * place.
 */
import { CHUNK_BYTES, dtypeInfo, toFloat64, type Tensor, type TensorInfo, type TensorReader, type TensorRole } from '@tfweights/core';
import { matchForms, readableName } from './mapping/normalise.js';

export interface DiffOptions {
  atol?: number;
  rtol?: number;
  /**
   * Also count optimizer state, bookkeeping and metadata present on one side only. By default
   * a role (say `optimizer`) that one file has none of at all is set aside with a note, so a
   * full-model file and a weights-only file of the same weights compare equal.
   */
  all?: boolean;
  /** Called after each pair is compared (progress). */
  onPair?: (bytes: number, name: string) => void;
}

export interface TensorDiff {
  readonly a: string;
  readonly b: string;
  readonly name: string;
  readonly dtypeA: string;
  readonly dtypeB: string;
  readonly shapeA: readonly number[];
  readonly shapeB: readonly number[];
  /** Undefined when shapes differ (values not compared). */
  readonly maxAbs?: number;
  readonly maxRel?: number;
  /** Elements outside tolerance. */
  readonly mismatched?: number;
  readonly equal: boolean;
  readonly problem?: 'shape' | 'dtype' | 'values';
}

export interface DiffResult {
  readonly onlyA: readonly TensorInfo[];
  readonly onlyB: readonly TensorInfo[];
  readonly pairs: readonly TensorDiff[];
  /** Roles left out because one side has none of them. */
  readonly setAside: readonly string[];
  readonly equal: boolean;
}

const SIDE_ROLES: TensorRole[] = ['optimizer', 'bookkeeping', 'metadata'];

export async function diffReaders(ra: TensorReader, rb: TensorReader, opts: DiffOptions = {}): Promise<DiffResult> {
  const atol = opts.atol ?? 0;
  const rtol = opts.rtol ?? 0;
  let la = [...ra.list()];
  let lb = [...rb.list()];
  if (!opts.all) {
    // The TF2 object graph describes the file, not the weights.
    la = la.filter((t) => t.key !== '_CHECKPOINTABLE_OBJECT_GRAPH' || lb.some((u) => u.key === t.key));
    lb = lb.filter((t) => t.key !== '_CHECKPOINTABLE_OBJECT_GRAPH' || la.some((u) => u.key === t.key));
  }
  const paired = pairUp(la, lb, layerPositions(ra), layerPositions(rb));
  const setAside: string[] = [];
  let onlyA = paired.onlyA;
  let onlyB = paired.onlyB;
  if (!opts.all) {
    // An unpaired tensor of a side role (optimizer state …) that the other file has none of at
    // all is set aside: a weights-only file and a full-model file of the same weights are equal.
    for (const role of SIDE_ROLES) {
      const hasA = la.some((t) => t.role === role);
      const hasB = lb.some((t) => t.role === role);
      const restA = onlyA.filter((t) => !(t.role === role && !hasB));
      const restB = onlyB.filter((t) => !(t.role === role && !hasA));
      const nA = onlyA.length - restA.length;
      const nB = onlyB.length - restB.length;
      if (nA > 0) setAside.push(`${nA} ${role} tensor(s) only in A not compared (--all compares them)`);
      if (nB > 0) setAside.push(`${nB} ${role} tensor(s) only in B not compared (--all compares them)`);
      onlyA = restA;
      onlyB = restB;
    }
  }
  const matched = { pairs: paired.pairs, onlyA, onlyB };
  const pairs: TensorDiff[] = [];
  for (const [ia, ib] of matched.pairs) {
    const base = {
      a: ia.key, b: ib.key, name: readableName(ia), dtypeA: ia.dtype, dtypeB: ib.dtype, shapeA: ia.shape, shapeB: ib.shape,
    };
    if (!sameShape(ia.shape, ib.shape)) {
      pairs.push({ ...base, equal: false, problem: 'shape' });
      continue;
    }
    const v = streamable(ra, ia) && streamable(rb, ib) && Math.max(ia.byteLength, ib.byteLength) > CHUNK_BYTES
      ? await compareChunked(ra, rb, ia, ib, atol, rtol)
      : compareValues(await ra.read(ia.key), await rb.read(ib.key), atol, rtol);
    const dtypeDiffers = ia.dtype !== ib.dtype;
    const equal = v.mismatched === 0 && !dtypeDiffers;
    pairs.push({ ...base, ...v, equal, ...(equal ? {} : { problem: dtypeDiffers ? 'dtype' as const : 'values' as const }) });
    opts.onPair?.(ia.byteLength + ib.byteLength, base.name);
  }
  const equal = matched.onlyA.length === 0 && matched.onlyB.length === 0 && pairs.every((p) => p.equal);
  return { onlyA: matched.onlyA, onlyB: matched.onlyB, pairs, setAside, equal };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * `<layer>#<i>` for each weight the reader places in a layer: Keras maps weights to layers by
 * this position (a Keras 3 `.weights.h5` without a config names its variables only `vars/<i>`).
 */
export function layerPositions(r: TensorReader): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of r.layers?.() ?? []) l.weights.forEach((k, i) => out.set(k, `${l.name.toLowerCase()}#${i}`));
  return out;
}

/**
 * Pair tensors: same key first, then the same loose readable or TF variable name, then the
 * same layer and position in the layer (each tensor used once).
 */
export function pairUp(
  la: readonly TensorInfo[], lb: readonly TensorInfo[],
  posA: ReadonlyMap<string, string> = new Map(), posB: ReadonlyMap<string, string> = new Map(),
) {
  const pairs: [TensorInfo, TensorInfo][] = [];
  const usedB = new Set<TensorInfo>();
  const restA: TensorInfo[] = [];
  const bByKey = new Map(lb.map((t) => [t.key, t]));
  for (const a of la) {
    const b = bByKey.get(a.key);
    if (b) {
      pairs.push([a, b]);
      usedB.add(b);
    } else restA.push(a);
  }
  const bByName = new Map<string, TensorInfo[]>();
  for (const b of lb) {
    if (usedB.has(b)) continue;
    for (const k of matchForms(b)) bByName.set(k, [...(bByName.get(k) ?? []), b]);
  }
  const restA2: TensorInfo[] = [];
  for (const a of restA) {
    const b = matchForms(a).flatMap((k) => bByName.get(k) ?? []).find((x) => !usedB.has(x));
    if (b) {
      pairs.push([a, b]);
      usedB.add(b);
    } else restA2.push(a);
  }
  const bByPos = new Map<string, TensorInfo>();
  for (const b of lb) {
    const p = posB.get(b.key);
    if (p && !usedB.has(b)) bByPos.set(p, b);
  }
  const onlyA: TensorInfo[] = [];
  for (const a of restA2) {
    const p = posA.get(a.key);
    const b = p === undefined ? undefined : bByPos.get(p);
    if (b && !usedB.has(b)) {
      pairs.push([a, b]);
      usedB.add(b);
    } else onlyA.push(a);
  }
  return { pairs, onlyA, onlyB: lb.filter((b) => !usedB.has(b)) };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // Node's Buffer compares with memcmp; browsers (the web app) have no Buffer.
  if (typeof Buffer !== 'undefined') return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Max absolute and relative difference and the count of elements outside tolerance. */
export function compareValues(a: Tensor, b: Tensor, atol: number, rtol: number): { maxAbs: number; maxRel: number; mismatched: number } {
  if (a.dtype === 'string' || b.dtype === 'string') {
    const sa = a.strings ?? [];
    const sb = b.strings ?? [];
    let mismatched = Math.abs(sa.length - sb.length);
    for (let i = 0; i < Math.min(sa.length, sb.length); i++) if (!bytesEqual(sa[i]!, sb[i]!)) mismatched++;
    return { maxAbs: mismatched ? NaN : 0, maxRel: mismatched ? NaN : 0, mismatched };
  }
  if (a.dtype === b.dtype && bytesEqual(a.data, b.data)) return { maxAbs: 0, maxRel: 0, mismatched: 0 };
  const va = toFloat64(a);
  const vb = toFloat64(b);
  let maxAbs = 0;
  let maxRel = 0;
  let mismatched = Math.abs(va.length - vb.length);
  for (let i = 0; i < Math.min(va.length, vb.length); i++) {
    const x = va[i]!;
    const y = vb[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (!(Number.isNaN(x) && Number.isNaN(y))) { mismatched++; maxAbs = NaN; maxRel = NaN; }
      continue;
    }
    if (x === y) continue;
    const d = Math.abs(x - y);
    const r = y === 0 ? Infinity : d / Math.abs(y);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(maxAbs) ? maxAbs : d;
    if (!(r <= maxRel)) maxRel = Number.isNaN(maxRel) ? maxRel : r;
    if (!(d <= atol + rtol * Math.abs(y))) mismatched++;
  }
  return { maxAbs, maxRel, mismatched };
}

/** Numeric fixed-size tensors of a reader that streams are compared chunk by chunk. */
function streamable(r: TensorReader, t: TensorInfo): boolean {
  const d = dtypeInfo(t.dtype);
  return r.readChunked !== undefined && d.itemSize > 0 && d.kind !== 'string' && d.kind !== 'opaque' && d.kind !== 'quantized';
}

/** Elements per block compared at a time (the blocks of both sides line up element for element). */
const BLOCK_ELEMENTS = 1 << 20;

/** Chunks regrouped into blocks of exactly `count` elements of `size` bytes (the last may be short), in one reused buffer. */
async function* blocks(chunks: AsyncIterable<Uint8Array>, size: number, count: number): AsyncIterable<Uint8Array> {
  const buf = new Uint8Array(size * count);
  let fill = 0;
  for await (let c of chunks) {
    while (c.byteLength > 0) {
      const take = Math.min(c.byteLength, buf.byteLength - fill);
      buf.set(c.subarray(0, take), fill);
      fill += take;
      c = c.subarray(take);
      if (fill === buf.byteLength) {
        yield buf;
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** {@link compareValues} over both tensors' chunks, block by block: never a whole tensor in memory. */
async function compareChunked(ra: TensorReader, rb: TensorReader, ia: TensorInfo, ib: TensorInfo, atol: number, rtol: number): Promise<{ maxAbs: number; maxRel: number; mismatched: number }> {
  const [ca, cb] = [await ra.readChunked!(ia.key), await rb.readChunked!(ib.key)];
  const ita = blocks(ca.chunks(), dtypeInfo(ca.dtype).itemSize, BLOCK_ELEMENTS)[Symbol.asyncIterator]();
  const itb = blocks(cb.chunks(), dtypeInfo(cb.dtype).itemSize, BLOCK_ELEMENTS)[Symbol.asyncIterator]();
  let maxAbs = 0;
  let maxRel = 0;
  let mismatched = 0;
  const worse = (acc: number, v: number) => (Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.max(acc, v));
  for (;;) {
    const [x, y] = [await ita.next(), await itb.next()];
    if (x.done || y.done) {
      // Same shape, so both end together unless a reader's chunks are short (its own checks throw).
      if (!x.done || !y.done) mismatched++;
      break;
    }
    const v = compareValues({ key: ia.key, name: ia.name, dtype: ca.dtype, shape: [], byteLength: x.value.byteLength, data: x.value }, { key: ib.key, name: ib.name, dtype: cb.dtype, shape: [], byteLength: y.value.byteLength, data: y.value }, atol, rtol);
    maxAbs = worse(maxAbs, v.maxAbs);
    maxRel = worse(maxRel, v.maxRel);
    mismatched += v.mismatched;
  }
  return { maxAbs, maxRel, mismatched };
}
