/**
 * --cast FROM:TO[,FROM:TO…]: convert tensors of one dtype to another while converting
 * (e.g. `float16:float32`). Floats narrow with round-to-nearest-even (core's float16 code);
 * integer targets refuse values they cannot hold rather than wrap silently.
 */
import {
  dtypeInfo, float32ToBfloat16, float32ToFloat16, InvalidArgumentError, isDTypeName, makeTensor, toFloat64,
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

const INT_RANGES: Partial<Record<DTypeName, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], uint64: [0, Number.MAX_SAFE_INTEGER],
};

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
    if (range) {
      const r = Math.round(v);
      if (!(r >= range[0] && r <= range[1])) {
        throw new InvalidArgumentError(`--cast ${t.dtype}:${to}: tensor '${t.key}' holds ${v}, which ${to} cannot hold`);
      }
      setInt(view, to, i * size, r);
    } else if (to === 'float32') view.setFloat32(i * 4, v, true);
    else if (to === 'float64') view.setFloat64(i * 8, v, true);
    else if (to === 'float16') view.setUint16(i * 2, float32ToFloat16(v), true);
    else if (to === 'bfloat16') view.setUint16(i * 2, float32ToBfloat16(v), true);
    else if (to === 'bool') out[i] = v !== 0 ? 1 : 0;
  }
  const { key, name, shape, role, layer, attrs } = t;
  return makeTensor(key, to, shape, out, { name, ...(role ? { role } : {}), ...(layer ? { layer } : {}), ...(attrs ? { attrs: { ...attrs } } : {}) });
}

function setInt(view: DataView, dtype: DTypeName, at: number, v: number): void {
  switch (dtype) {
    case 'int8': view.setInt8(at, v); break;
    case 'uint8': view.setUint8(at, v); break;
    case 'int16': view.setInt16(at, v, true); break;
    case 'uint16': view.setUint16(at, v, true); break;
    case 'int32': view.setInt32(at, v, true); break;
    case 'uint32': view.setUint32(at, v, true); break;
    case 'int64': view.setBigInt64(at, BigInt(v), true); break;
    case 'uint64': view.setBigUint64(at, BigInt(v), true); break;
    default: throw new InvalidArgumentError(`not an integer dtype: ${dtype}`);
  }
}
