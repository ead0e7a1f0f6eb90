/**
 * --cast FROM:TO[,FROM:TO…]: convert tensors of one dtype to another while converting
 * (e.g. `float16:float32`). Floats narrow with round-to-nearest-even (core's float16 code);
 * integer targets refuse values they cannot hold rather than wrap silently.
 */
import {
  byteLengthOf, dtypeInfo, INT_RANGES, mapElements, type ChunkedTensor, InvalidArgumentError, isDTypeName, makeTensor, setElement, toFloat64,
  UnsupportedDtypeError, type DTypeName, type Tensor,
} from '@tfweights/core';

export type CastMap = ReadonlyMap<DTypeName, DTypeName>;

const CASTABLE = new Set<DTypeName>([
  'float16', 'bfloat16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool',
]);

/** Parse `float16:float32,int64:int32` (also accepts repeated options). */
export function parseCasts(specs: readonly string[]): CastMap {
  const map = new Map<DTypeName, DTypeName>();
  for (const spec of specs.flatMap((s) => s.split(','))) {
    const [from, to, ...rest] = spec.trim().split(':');
    if (!from || !to || rest.length > 0) throw new InvalidArgumentError(`--cast '${spec}' must be FROM:TO, e.g. float16:float32`);
    for (const d of [from, to]) {
      if (!isDTypeName(d) || !CASTABLE.has(d)) throw new InvalidArgumentError(`--cast: cannot cast ${d} (castable: ${[...CASTABLE].join(' ')})`);
    }
    map.set(from as DTypeName, to as DTypeName);
  }
  return map;
}

/** The dtype a tensor of `dtype` will have after the casts. */
export function castDtype(dtype: DTypeName, casts: CastMap): DTypeName {
  return casts.get(dtype) ?? dtype;
}

/** Convert the elements in `input` (of `t.dtype`) into `output` (of `to`), element by element. */
function castInto(t: Pick<Tensor, 'key' | 'dtype'>, to: DTypeName, input: Uint8Array, output: Uint8Array): void {
  const values = toFloat64({ key: t.key, dtype: t.dtype, data: input });
  const size = dtypeInfo(to).itemSize;
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  const range = INT_RANGES[to];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // Checked here too, for a message in the terms of --cast.
    if (range && !(Math.round(v) >= range[0] && Math.round(v) <= range[1])) {
      throw new InvalidArgumentError(`--cast ${t.dtype}:${to}: tensor '${t.key}' holds ${v}, which ${to} cannot hold`);
    }
    setElement(view, i * size, to, v, t.key);
  }
}

function checkCastable(t: Pick<Tensor, 'key' | 'dtype'>): void {
  if (!CASTABLE.has(t.dtype)) throw new UnsupportedDtypeError(`cannot cast tensor '${t.key}' of dtype ${t.dtype}`);
}

/** The tensor converted to `to` (same key, name, shape). */
export function castTensor(t: Tensor, to: DTypeName): Tensor {
  if (t.dtype === to) return t;
  checkCastable(t);
  const out = new Uint8Array((t.data.byteLength / dtypeInfo(t.dtype).itemSize) * dtypeInfo(to).itemSize);
  castInto(t, to, t.data, out);
  const { key, name, shape, role, layer, attrs } = t;
  return makeTensor(key, to, shape, out, { name, ...(role ? { role } : {}), ...(layer ? { layer } : {}), ...(attrs ? { attrs: { ...attrs } } : {}) });
}

/**
 * A chunked tensor converted to `to` chunk by chunk (elements split across chunks are carried
 * over), so a cast never holds the tensor whole.
 */
export function castChunked(t: ChunkedTensor, to: DTypeName): ChunkedTensor {
  if (t.dtype === to) return t;
  checkCastable(t);
  const inSize = dtypeInfo(t.dtype).itemSize;
  const outSize = dtypeInfo(to).itemSize;
  return {
    ...t, dtype: to, byteLength: byteLengthOf(to, t.shape),
    chunks: () => mapElements(t.chunks(), inSize, outSize, (input, output) => castInto(t, to, input, output)),
  };
}
