/**
 * TensorInfo and Tensor: raw little-endian bytes plus the facts needed to read them.
 * Data stays a Uint8Array view over whatever buffer the codec read (no copy where a view
 * serves); typed views are made on request. Strings are byte arrays (TF strings are bytes).
 */
import { dtypeInfo, isDTypeName, type DTypeName } from './dtype.js';
import { InvalidArgumentError, LimitExceededError } from './errors.js';
import { float32ToBfloat16, float32ToFloat16, widen16 } from './float16.js';

/** What a tensor is for, so tools can drop optimizer state on request. */
export type TensorRole = 'weight' | 'optimizer' | 'bookkeeping' | 'metadata';

/** Everything known about a tensor without reading its data. */
export interface TensorInfo {
  /** The format's own key (bundle key, HDF5 path without leading `/`, npz member without `.npy`). */
  readonly key: string;
  /** A readable path such as `dense/kernel`; equals `key` where the format has nothing better. */
  readonly name: string;
  readonly dtype: DTypeName;
  /** Dimensions, outermost first; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Bytes of the decoded little-endian data (strings: sum of element lengths). */
  readonly byteLength: number;
  /** Weight, optimizer state or bookkeeping; `weight` when the format does not say. */
  readonly role?: TensorRole;
  /** Layer (or object path) the tensor belongs to, when the format knows it. */
  readonly layer?: string;
  /** Format-specific facts worth showing (`full_name`, `trainable`, slot name …). */
  readonly attrs?: Readonly<Record<string, string | number | boolean>>;
}

/** A tensor with its data. For dtype `string`, `data` is empty and `strings` holds the elements. */
export interface Tensor extends TensorInfo {
  readonly data: Uint8Array;
  readonly strings?: readonly Uint8Array[];
}

/** Product of dims; throws on negative, non-integer or overflowing shapes. */
export function numElements(shape: readonly number[], what = 'shape'): number {
  let n = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new InvalidArgumentError(`invalid dimension ${dim} in ${what} [${shape.join(', ')}]`);
    }
    n *= dim;
    if (!Number.isSafeInteger(n)) throw new LimitExceededError(`${what} [${shape.join(', ')}] has too many elements`);
  }
  return n;
}

/** Bytes of a fixed-size tensor of this dtype and shape. Throws for variable-size dtypes. */
export function byteLengthOf(dtype: DTypeName, shape: readonly number[]): number {
  const info = dtypeInfo(dtype);
  if (info.itemSize === 0) throw new InvalidArgumentError(`dtype ${dtype} has no fixed element size`);
  const bytes = numElements(shape) * info.itemSize;
  if (!Number.isSafeInteger(bytes)) throw new LimitExceededError(`tensor of shape [${shape.join(', ')}] is too large`);
  return bytes;
}

export interface MakeTensorOptions {
  name?: string;
  role?: TensorRole;
  layer?: string;
  attrs?: Record<string, string | number | boolean>;
}

/** Build a numeric tensor over raw little-endian bytes; checks the byte count. */
export function makeTensor(
  key: string, dtype: DTypeName, shape: readonly number[], data: Uint8Array, opts: MakeTensorOptions = {},
): Tensor {
  const expected = byteLengthOf(dtype, shape);
  if (data.byteLength !== expected) {
    throw new InvalidArgumentError(`tensor '${key}' of ${dtype} [${shape.join(', ')}] needs ${expected} bytes, got ${data.byteLength}`);
  }
  return { key, name: opts.name ?? key, dtype, shape: [...shape], byteLength: expected, data, ...roleFields(opts) };
}

/** Build a string tensor from its elements (bytes or JS strings, encoded as UTF-8). */
export function makeStringTensor(
  key: string, shape: readonly number[], elements: readonly (Uint8Array | string)[], opts: MakeTensorOptions = {},
): Tensor {
  const n = numElements(shape);
  if (elements.length !== n) {
    throw new InvalidArgumentError(`string tensor '${key}' of shape [${shape.join(', ')}] needs ${n} elements, got ${elements.length}`);
  }
  const enc = new TextEncoder();
  const strings = elements.map((e) => (typeof e === 'string' ? enc.encode(e) : e));
  const byteLength = strings.reduce((s, b) => s + b.byteLength, 0);
  return { key, name: opts.name ?? key, dtype: 'string', shape: [...shape], byteLength, data: new Uint8Array(0), strings, ...roleFields(opts) };
}

function roleFields(opts: MakeTensorOptions): Partial<Tensor> {
  const out: { role?: TensorRole; layer?: string; attrs?: Record<string, string | number | boolean> } = {};
  if (opts.role) out.role = opts.role;
  if (opts.layer) out.layer = opts.layer;
  if (opts.attrs) out.attrs = opts.attrs;
  return out;
}

/** Typed array of a tensor's values, as stored (float16/bfloat16 stay 16-bit patterns). */
export type TypedValues =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/**
 * A typed view of the tensor's data. No copy when the data is aligned; an aligned copy
 * otherwise. Complex dtypes give interleaved (re, im) components; bool gives 0/1 bytes;
 * float16/bfloat16 give raw `Uint16Array` patterns (use {@link toFloat32} to widen).
 */
export function typedValues(t: Pick<Tensor, 'dtype' | 'data' | 'key'>): TypedValues {
  const info = dtypeInfo(t.dtype);
  const align = info.componentSize || 1;
  const bytes = t.data.byteOffset % align === 0 ? t.data : t.data.slice();
  const { buffer, byteOffset, byteLength } = bytes;
  const count = byteLength / align;
  switch (t.dtype) {
    case 'float32': case 'complex64': return new Float32Array(buffer, byteOffset, count);
    case 'float64': case 'complex128': return new Float64Array(buffer, byteOffset, count);
    case 'int8': return new Int8Array(buffer, byteOffset, count);
    case 'int16': return new Int16Array(buffer, byteOffset, count);
    case 'int32': return new Int32Array(buffer, byteOffset, count);
    case 'int64': return new BigInt64Array(buffer, byteOffset, count);
    case 'uint16': case 'float16': case 'bfloat16': return new Uint16Array(buffer, byteOffset, count);
    case 'uint32': return new Uint32Array(buffer, byteOffset, count);
    case 'uint64': return new BigUint64Array(buffer, byteOffset, count);
    case 'uint8': case 'bool': return new Uint8Array(buffer, byteOffset, count);
    default:
      throw new InvalidArgumentError(`tensor '${t.key}' has dtype ${t.dtype}, which has no typed view`);
  }
}

/** Values as float64 numbers, for statistics and comparison (int64 may lose precision above 2^53). */
export function toFloat64(t: Pick<Tensor, 'dtype' | 'data' | 'key'>): Float64Array {
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    return Float64Array.from(widen16(typedValues(t) as Uint16Array, t.dtype));
  }
  const v = typedValues(t);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, (x) => Number(x));
  return v instanceof Float64Array ? v : Float64Array.from(v as ArrayLike<number>);
}

/** Values as float32 (float16/bfloat16 widened exactly; other types converted). */
export function toFloat32(t: Pick<Tensor, 'dtype' | 'data' | 'key'>): Float32Array {
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return widen16(typedValues(t) as Uint16Array, t.dtype);
  if (t.dtype === 'float32') return typedValues(t) as Float32Array;
  return Float32Array.from(toFloat64(t));
}

/** Copy of a typed array's bytes as a Uint8Array view over the same memory (no copy). */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Just the info part of a tensor (drops data), e.g. for listings. */
export function infoOf(t: TensorInfo): TensorInfo {
  const { key, name, dtype, shape, byteLength, role, layer, attrs } = t;
  return { key, name, dtype, shape, byteLength, ...(role ? { role } : {}), ...(layer ? { layer } : {}), ...(attrs ? { attrs } : {}) };
}

/** Swap the bytes of every component in place (big-endian → little-endian). */
export function swapBytesInPlace(data: Uint8Array, componentSize: number): void {
  if (componentSize <= 1) return;
  for (let i = 0; i + componentSize <= data.length; i += componentSize) {
    for (let a = i, b = i + componentSize - 1; a < b; a++, b--) {
      const tmp = data[a]!;
      data[a] = data[b]!;
      data[b] = tmp;
    }
  }
}

/**
 * A new tensor of the same dtype, shape and names whose values are `fn(value, index)`.
 * float16/bfloat16 are computed in float32 and rounded back (nearest even); integer results
 * are rounded and must fit the dtype (InvalidArgumentError otherwise); int64/uint64 go
 * through numbers, so they must stay within ±2^53.
 */
export function mapValues(t: Tensor, fn: (value: number, index: number) => number): Tensor {
  const info = dtypeInfo(t.dtype);
  if (info.kind !== 'float' && info.kind !== 'int' && info.kind !== 'uint' && info.kind !== 'bool') {
    throw new InvalidArgumentError(`mapValues works on real numbers; tensor '${t.key}' is ${t.dtype}`);
  }
  const src = toFloat64(t);
  const out = new Uint8Array(t.data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < src.length; i++) setElement(view, i * info.itemSize, t.dtype, fn(src[i]!, i), t.key);
  const { data: _old, strings: _s, ...rest } = t;
  return { ...rest, data: out };
}

/** Range of each integer dtype that a JS number can hold exactly. */
export const INT_RANGES: Readonly<Partial<Record<DTypeName, readonly [number, number]>>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], uint64: [0, Number.MAX_SAFE_INTEGER],
};

/**
 * Store one real number as element of `dtype` at `byteOffset` (little-endian): floats narrow
 * with round to nearest even, bool is 0/1, integers are rounded and must fit the dtype
 * (InvalidArgumentError naming the tensor otherwise, never a silent wrap).
 */
export function setElement(view: DataView, byteOffset: number, dtype: DTypeName, v: number, key = ''): void {
  switch (dtype) {
    case 'float32': view.setFloat32(byteOffset, v, true); return;
    case 'float64': view.setFloat64(byteOffset, v, true); return;
    case 'float16': view.setUint16(byteOffset, float32ToFloat16(v), true); return;
    case 'bfloat16': view.setUint16(byteOffset, float32ToBfloat16(v), true); return;
    case 'bool': view.setUint8(byteOffset, v ? 1 : 0); return;
    default: setInteger(view, byteOffset, dtype, Math.round(v), key);
  }
}

function setInteger(view: DataView, at: number, dtype: DTypeName, v: number, key: string): void {
  const range = INT_RANGES[dtype];
  if (!range || !(v >= range[0] && v <= range[1])) {
    throw new InvalidArgumentError(`value ${v} does not fit ${dtype} in tensor '${key}'`);
  }
  switch (dtype) {
    case 'int8': view.setInt8(at, v); break;
    case 'uint8': view.setUint8(at, v); break;
    case 'int16': view.setInt16(at, v, true); break;
    case 'uint16': view.setUint16(at, v, true); break;
    case 'int32': view.setInt32(at, v, true); break;
    case 'uint32': view.setUint32(at, v, true); break;
    case 'int64': view.setBigInt64(at, BigInt(v), true); break;
    default: view.setBigUint64(at, BigInt(v), true);
  }
}

/**
 * Check a tensor at a writer's boundary, before any of its facts sizes an allocation or a
 * file: the key is a non-empty string without NUL, the dtype is known, every dimension is a
 * non-negative safe integer, and the data holds exactly product(shape) × element size bytes
 * (string tensors: product(shape) elements). Throws InvalidArgumentError (LimitExceededError
 * for shapes past 2^53 elements) naming the tensor and `file`.
 */
export function checkTensor(t: Tensor, file?: string): void {
  const { where, n } = checkKeyAndShape(t, file);
  if (t.dtype === 'string' || t.dtype === 'variant') {
    if (!Array.isArray(t.strings) || t.strings.length !== n) {
      throw new InvalidArgumentError('string tensor does not hold one element per shape entry', { ...where, expected: `${n} elements`, found: `${Array.isArray(t.strings) ? t.strings.length : 'no'} elements` });
    }
    return;
  }
  if (!(t.data instanceof Uint8Array)) throw new InvalidArgumentError('tensor data is not a Uint8Array', where);
  checkByteLength(t, t.data.byteLength, n, where);
}

/**
 * {@link checkTensor} for a tensor that arrives in chunks (`ChunkedTensor`): the same checks
 * of key, dtype and shape, and its declared `byteLength` against the shape (the chunks
 * themselves are held to `byteLength` by `checkLength` as they stream).
 */
export function checkTensorInfo(t: TensorInfo, file?: string): void {
  const { where, n } = checkKeyAndShape(t, file);
  if (dtypeInfo(t.dtype).itemSize > 0) checkByteLength(t, t.byteLength, n, where);
}

function checkKeyAndShape(t: TensorInfo, file: string | undefined): { where: { file?: string; entry: string }; n: number } {
  const where = { ...(file !== undefined ? { file } : {}), entry: typeof t.key === 'string' ? t.key.slice(0, 200) : String(t.key) };
  if (typeof t.key !== 'string' || t.key.length === 0) throw new InvalidArgumentError('tensor has an empty key', where);
  if (t.key.includes('\0')) throw new InvalidArgumentError('tensor key holds a NUL character', where);
  if (!isDTypeName(t.dtype)) throw new InvalidArgumentError(`unknown dtype '${String(t.dtype)}'`, where);
  if (!Array.isArray(t.shape)) throw new InvalidArgumentError('shape is not a list', where);
  let n = 1;
  for (const d of t.shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new InvalidArgumentError('shape entries must be non-negative integers', { ...where, found: `[${t.shape.slice(0, 8).join(', ')}]` });
    }
    n *= d;
    if (!Number.isSafeInteger(n)) throw new LimitExceededError('shape has more elements than can be addressed', { ...where, found: `[${t.shape.slice(0, 8).join(', ')}]` });
  }
  return { where, n };
}

function checkByteLength(t: TensorInfo, byteLength: number, n: number, where: { file?: string; entry: string }): void {
  const want = n * dtypeInfo(t.dtype).itemSize;
  if (byteLength !== want) {
    throw new InvalidArgumentError(`tensor data does not match its shape`, { ...where, expected: `${want} bytes for ${t.dtype} [${t.shape.join(', ')}]`, found: `${byteLength} bytes` });
  }
}
