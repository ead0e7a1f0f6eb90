/**
 * --cast FROM:TO[,FROM:TO…]: convert tensors of one dtype to another while converting
 * (e.g. `float16:float32`). Floats narrow with round-to-nearest-even (core's float16 code);
 * integer targets refuse values they cannot hold rather than wrap silently.
 */
import {
  dtypeInfo, INT_RANGES, InvalidArgumentError, isDTypeName, makeTensor, setElement, toFloat64,
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

/** The tensor converted to `to` (same key, name, shape). */
export function castTensor(t: Tensor, to: DTypeName): Tensor {
  if (t.dtype === to) return t;
  if (!CASTABLE.has(t.dtype)) throw new UnsupportedDtypeError(`cannot cast tensor '${t.key}' of dtype ${t.dtype}`);
  const values = toFloat64(t);
  const n = values.length;
  const size = dtypeInfo(to).itemSize;
  const out = new Uint8Array(n * size);
  const view = new DataView(out.buffer);
  const range = INT_RANGES[to];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // Checked here too, for a message in the terms of --cast.
    if (range && !(Math.round(v) >= range[0] && Math.round(v) <= range[1])) {
      throw new InvalidArgumentError(`--cast ${t.dtype}:${to}: tensor '${t.key}' holds ${v}, which ${to} cannot hold`);
    }
    setElement(view, i * size, to, v, t.key);
  }
  const { key, name, shape, role, layer, attrs } = t;
  return makeTensor(key, to, shape, out, { name, ...(role ? { role } : {}), ...(layer ? { layer } : {}), ...(attrs ? { attrs: { ...attrs } } : {}) });
}
