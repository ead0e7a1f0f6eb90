/**
 * Bridge between tfweights tensors and @tensorflow/tfjs-core tensors. tfjs-core has only
 * float32, int32, bool, complex64 and string; every other dtype is converted only when asked:
 * `widen` for lossless widening (uint8/int8/int16/uint16 → int32, float16/bfloat16 → float32),
 * `allowLossy` for narrowing (float64 → float32, complex128 → complex64, int64/uint64/uint32 →
 * int32). Integer narrowing never wraps: a value out of range throws LimitExceededError.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  bytesOf, InvalidArgumentError, LimitExceededError, makeStringTensor, makeTensor, narrow16, TensorNotFoundError,
  typedValues, UnsupportedDtypeError,
  type DTypeName, type LayerInfo, type Tensor, type TensorInfo, type TensorReader,
} from '@tfweights/core';
import { convertData, tfjsStorageDtype } from './dtype-policy.js';
import { layersOf } from './layers.js';

export { layersOf };

export interface ToTfOptions {
  /** Allow lossless widening of dtypes tfjs lacks (uint8 → int32, float16 → float32 …). */
  widen?: boolean;
  /** Allow narrowing (float64 → float32 rounds; int64 → int32 refuses out-of-range values). */
  allowLossy?: boolean;
}

/** A tfjs-core tensor holding `t`'s values. The caller disposes it. */
export function toTfTensor(t: Tensor, opts: ToTfOptions = {}): tf.Tensor {
  const target = tfjsStorageDtype(t, { widen: opts.widen, downcast: opts.allowLossy });
  const shape = [...t.shape];
  if (target === 'string') return tf.tensor(t.strings ? [...t.strings] : [], shape, 'string');
  const bytes = convertData(t, target);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (target === 'complex64') {
    const v = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
    const re = new Float32Array(v.length / 2);
    const im = new Float32Array(v.length / 2);
    for (let i = 0; i < re.length; i++) {
      re[i] = v[2 * i]!;
      im[i] = v[2 * i + 1]!;
    }
    return tf.tidy(() => tf.complex(tf.tensor(re, shape), tf.tensor(im, shape)));
  }
  if (target === 'bool') return tf.tensor(new Uint8Array(aligned), shape, 'bool');
  if (target === 'int32') return tf.tensor(new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4), shape, 'int32');
  return tf.tensor(new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4), shape, 'float32');
}

export interface FromTfOptions {
  /**
   * dtype of the result (default: the tf tensor's own). Exact conversions are always allowed
   * (float32 → float64, int32 → int64 …); integer narrowing checks every value; float32 →
   * float16/bfloat16 rounds and needs `allowLossy`.
   */
  dtype?: DTypeName;
  allowLossy?: boolean;
  /** Readable name (default: key). */
  name?: string;
}

/** Read a tfjs-core tensor's values (awaits `data()`) into a tfweights Tensor. */
export async function fromTfTensor(x: tf.Tensor, key: string, opts: FromTfOptions = {}): Promise<Tensor> {
  const shape = x.shape as number[];
  const name = { name: opts.name ?? key };
  if (x.dtype === 'string') {
    if (opts.dtype && opts.dtype !== 'string') throw new UnsupportedDtypeError(`cannot convert a string tensor to ${opts.dtype}`, { entry: key });
    return makeStringTensor(key, shape, (await x.bytes()) as Uint8Array[], name);
  }
  let base: Tensor;
  if (x.dtype === 'complex64') {
    const [re, im] = await Promise.all([tf.real(x), tf.imag(x)].map(async (p) => { const d = await p.data(); p.dispose(); return d as Float32Array; }));
    const out = new Float32Array(re!.length * 2);
    for (let i = 0; i < re!.length; i++) {
      out[2 * i] = re![i]!;
      out[2 * i + 1] = im![i]!;
    }
    base = makeTensor(key, 'complex64', shape, bytesOf(out), name);
  } else {
    const data = await x.data();
    const dtype = x.dtype as 'float32' | 'int32' | 'bool';
    const bytes = dtype === 'bool' ? Uint8Array.from(data as Uint8Array) : bytesOf(data.slice() as Float32Array | Int32Array);
    base = makeTensor(key, dtype, shape, bytes, name);
  }
  const target = opts.dtype ?? base.dtype;
  return target === base.dtype ? base : castTensor(base, target, !!opts.allowLossy);
}

const INT_RANGE: Partial<Record<DTypeName, [bigint, bigint]>> = {
  int8: [-128n, 127n], uint8: [0n, 255n], int16: [-32768n, 32767n], uint16: [0n, 65535n],
  int32: [-2147483648n, 2147483647n], uint32: [0n, 4294967295n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], uint64: [0n, 2n ** 64n - 1n],
};

/** Convert a float32/int32/bool/complex64 tensor to `target`; refuses silent overflow. */
function castTensor(t: Tensor, target: DTypeName, allowLossy: boolean): Tensor {
  const name = { name: t.name };
  const v = typedValues(t) as Float32Array | Int32Array | Uint8Array;
  const n = t.dtype === 'complex64' ? v.length / 2 : v.length;
  const fail = (why: string) => new UnsupportedDtypeError(`cannot convert ${t.dtype} to ${target}: ${why}`, { entry: t.key });
  if (t.dtype === 'complex64') {
    if (target !== 'complex128') throw fail('only complex128 can hold complex values');
    return makeTensor(t.key, target, t.shape, bytesOf(Float64Array.from(v)), name);
  }
  switch (target) {
    case 'float64': return makeTensor(t.key, target, t.shape, bytesOf(Float64Array.from(v)), name);
    case 'float32': {
      const out = Float32Array.from(v);
      if (!allowLossy && out.some((x, i) => x !== v[i])) throw new LimitExceededError(`values of '${t.key}' are not exact in float32 (pass allowLossy)`, { entry: t.key });
      return makeTensor(t.key, target, t.shape, bytesOf(out), name);
    }
    case 'float16': case 'bfloat16': {
      if (!allowLossy) throw fail('narrowing to 16-bit floats rounds; pass allowLossy: true');
      return makeTensor(t.key, target, t.shape, bytesOf(narrow16(v, target)), name);
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = v[i] ? 1 : 0;
      return makeTensor(t.key, target, t.shape, out, name);
    }
    default: {
      const range = INT_RANGE[target];
      if (!range) throw fail('no conversion defined');
      const size = target.endsWith('64') ? 8 : target.endsWith('32') ? 4 : target.endsWith('16') ? 2 : 1;
      const out = new Uint8Array(n * size);
      const view = new DataView(out.buffer);
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (!Number.isInteger(x) || BigInt(x) < range[0] || BigInt(x) > range[1]) {
          throw new LimitExceededError(`value ${x} at index ${i} of '${t.key}' does not fit in ${target}; refusing to wrap or truncate it`, { entry: t.key });
        }
        if (size === 8) view.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(x)), true);
        else if (size === 4) view.setUint32(i * 4, x >>> 0, true);
        else if (size === 2) view.setUint16(i * 2, x & 0xffff, true);
        else out[i] = x & 0xff;
      }
      return makeTensor(t.key, target, t.shape, out, name);
    }
  }
}

function findLayer(layers: readonly LayerInfo[], name: string, file?: string): LayerInfo {
  const l = layers.find((x) => x.name === name);
  if (!l) throw new TensorNotFoundError(name, layers.map((x) => x.name), { file, expected: 'a layer name' });
  return l;
}

/** Like Keras `layer.get_weights()`: the layer's weights in its own order, as tf tensors. */
export async function getWeights(reader: TensorReader, layerName: string, opts: ToTfOptions = {}): Promise<tf.Tensor[]> {
  const layer = findLayer(layersOf(reader), layerName, reader.source);
  const out: tf.Tensor[] = [];
  try {
    for (const key of layer.weights) out.push(toTfTensor(await reader.read(key), opts));
  } catch (err) {
    tf.dispose(out);
    throw err;
  }
  return out;
}

/**
 * An in-memory, editable copy of a model's weights with Keras-like per-layer access:
 * `getWeights(layer)` and `setWeights(layer, values)` (count and shapes checked), then
 * `tensors()` in the original order for a writer.
 */
export class EditableWeights {
  private constructor(private readonly byKey: Map<string, Tensor>, private readonly layerList: LayerInfo[], readonly source: string) {}

  /** Read every tensor of a reader into memory. */
  static async fromReader(reader: TensorReader): Promise<EditableWeights> {
    const map = new Map<string, Tensor>();
    for await (const t of reader.tensors()) map.set(t.key, t);
    return new EditableWeights(map, layersOf(reader), reader.source);
  }

  layers(): readonly LayerInfo[] {
    return this.layerList;
  }

  /** Every tensor, in the order it was read. */
  tensors(): Tensor[] {
    return [...this.byKey.values()];
  }

  list(): TensorInfo[] {
    return this.tensors();
  }

  /** The layer's weights as tf tensors (the caller disposes them). */
  getWeights(layerName: string, opts: ToTfOptions = {}): tf.Tensor[] {
    return findLayer(this.layerList, layerName, this.source).weights.map((k) => toTfTensor(this.byKey.get(k)!, opts));
  }

  /**
   * Replace a layer's weights, like Keras `layer.set_weights(values)`: same count, same shapes;
   * values are converted back to each weight's stored dtype (integer overflow refused,
   * float narrowing only with `allowLossy`).
   */
  async setWeights(layerName: string, values: readonly tf.Tensor[], opts: { allowLossy?: boolean } = {}): Promise<void> {
    const layer = findLayer(this.layerList, layerName, this.source);
    if (values.length !== layer.weights.length) {
      throw new InvalidArgumentError(`layer '${layerName}' expects ${layer.weights.length} weight(s), got ${values.length}`, {
        file: this.source, entry: layerName, expected: `${layer.weights.length}`, found: `${values.length}`,
      });
    }
    const next: Tensor[] = [];
    for (const [i, key] of layer.weights.entries()) {
      const old = this.byKey.get(key)!;
      const v = values[i]!;
      if (v.shape.length !== old.shape.length || v.shape.some((d, j) => d !== old.shape[j])) {
        throw new InvalidArgumentError(`weight shape [${old.shape.join(', ')}] of '${key}' is not compatible with provided weight shape [${v.shape.join(', ')}]`, {
          file: this.source, entry: key, expected: `[${old.shape.join(', ')}]`, found: `[${v.shape.join(', ')}]`,
        });
      }
      const t = await fromTfTensor(v, key, { dtype: old.dtype, allowLossy: opts.allowLossy, name: old.name });
      const { role, layer: l, attrs } = old;
      next.push({ ...t, ...(role ? { role } : {}), ...(l ? { layer: l } : {}), ...(attrs ? { attrs } : {}) });
    }
    for (const t of next) this.byKey.set(t.key, t);
  }
}
