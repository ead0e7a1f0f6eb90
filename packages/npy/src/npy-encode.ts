/**
 * A Tensor as `.npy` bytes: NumPy's exact header (header-write.ts) and the data, C order,
 * little-endian. Strings become `<U{maxlen}` (or `|S{maxlen}` on request, or when an element
 * is not valid UTF-8); bfloat16 has no NumPy dtype and is refused unless widened to float32 or
 * stored raw as `|V2`.
 */
import {
  checkTensor, bytesOf, dtypeInfo, InvalidArgumentError, numElements, toFloat32, UnsupportedDtypeError, type Tensor,
} from '@tfweights/core';
import { descrOf } from './descr.js';
import { buildNpyHeader } from './header-write.js';

export interface NpyWriteOptions {
  /** How string tensors are written: `unicode` (`<U`, default, as np.array(list_of_str)) or `bytes` (`|S`). */
  strings?: 'unicode' | 'bytes';
  /**
   * bfloat16 has no NumPy descr: `refuse` (default, UnsupportedDtypeError), widen exactly to
   * `float32`, or `raw`: the 2-byte values as `|V2` (NumPy's 2-byte void; view them with
   * `a.view(ml_dtypes.bfloat16)`).
   */
  bfloat16?: 'refuse' | 'float32' | 'raw';
}

/** The two parts of one `.npy` file: the preamble and the data. */
export interface EncodedNpy {
  readonly header: Uint8Array;
  readonly data: Uint8Array;
  readonly descr: string;
}

/** Encode a tensor; throws UnsupportedDtypeError for dtypes NumPy lacks. */
export function encodeNpy(t: Tensor, opts: NpyWriteOptions = {}): EncodedNpy {
  checkTensor(t);
  if (t.dtype === 'string') return encodeStrings(t, opts);
  if (t.dtype === 'bfloat16') {
    if (opts.bfloat16 === 'raw') {
      const expected = numElements(t.shape) * 2;
      if (t.data.byteLength !== expected) throw new InvalidArgumentError(`tensor '${t.key}' of bfloat16 [${t.shape.join(', ')}] needs ${expected} bytes, got ${t.data.byteLength}`);
      return { header: buildNpyHeader('|V2', t.shape), data: t.data, descr: '|V2' };
    }
    if (opts.bfloat16 !== 'float32') {
      throw new UnsupportedDtypeError('NumPy has no bfloat16 (option bfloat16, CLI --bfloat16: "float32" widens it exactly, "raw" stores the 2-byte values as |V2)', { entry: t.key });
    }
    const data = bytesOf(toFloat32(t));
    return { header: buildNpyHeader('<f4', t.shape), data, descr: '<f4' };
  }
  const descr = descrOf(t.dtype, t.key);
  const expected = numElements(t.shape) * dtypeInfo(t.dtype).itemSize;
  if (t.data.byteLength !== expected) {
    throw new InvalidArgumentError(`tensor '${t.key}' of ${t.dtype} [${t.shape.join(', ')}] needs ${expected} bytes, got ${t.data.byteLength}`);
  }
  return { header: buildNpyHeader(descr, t.shape), data: t.data, descr };
}

function encodeStrings(t: Tensor, opts: NpyWriteOptions): EncodedNpy {
  const elements = t.strings ?? [];
  const n = numElements(t.shape);
  if (elements.length !== n) {
    throw new InvalidArgumentError(`string tensor '${t.key}' of shape [${t.shape.join(', ')}] has ${elements.length} elements`);
  }
  let texts: string[] | undefined;
  if (opts.strings !== 'bytes') {
    const dec = new TextDecoder('utf-8', { fatal: true });
    try {
      texts = elements.map((e) => dec.decode(e));
    } catch {
      texts = undefined; // not UTF-8: only `|S` can hold these bytes
    }
  }
  if (texts) {
    const cps = texts.map((s) => Array.from(s, (ch) => ch.codePointAt(0)!));
    // NumPy's smallest str dtype is <U1 (np.array([''])).
    const width = cps.reduce((m, c) => Math.max(m, c.length), 1);
    const data = new Uint8Array(n * width * 4);
    const v = new DataView(data.buffer);
    cps.forEach((c, i) => c.forEach((cp, k) => v.setUint32((i * width + k) * 4, cp, true)));
    const descr = `<U${width}`;
    return { header: buildNpyHeader(descr, t.shape), data, descr };
  }
  const width = elements.reduce((m, e) => Math.max(m, e.byteLength), 1);
  const data = new Uint8Array(n * width);
  elements.forEach((e, i) => data.set(e, i * width));
  const descr = `|S${width}`;
  return { header: buildNpyHeader(descr, t.shape), data, descr };
}
