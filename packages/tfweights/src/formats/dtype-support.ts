/**
 * Which dtypes each output format can hold, as facts for the conversion plan: a tensor whose
 * dtype the output has no place for is planned as left out with the reason (like optimizer
 * state a weights file cannot hold) instead of stopping the whole conversion at that tensor;
 * bfloat16 into NumPy is widened exactly to float32 unless asked otherwise.
 */
import { dtypeInfo, type DTypeName } from '@tfweights/core';

/** Formats made for TensorFlow's own tensors: every dtype TF saves fits (DT_RESOURCE is never saved). */
const TF_NATIVE = new Set(['checkpoint', 'savedmodel']);

/** How bfloat16 goes into NumPy files (`--bfloat16`): widened exactly, raw 2-byte `|V2`, or refused. */
export type Bfloat16Policy = 'float32' | 'raw' | 'refuse';

/** The `--bfloat16` choice carried in a conversion's writer options (default `float32`). */
export function bfloat16Policy(extra: Readonly<Record<string, string | boolean>> | undefined): Bfloat16Policy {
  const v = extra?.bfloat16;
  return v === 'raw' || v === 'refuse' ? v : 'float32';
}

/**
 * Why output format `formatId` cannot hold a tensor of `dtype` whatever the options, or
 * undefined when it can (or when its writer decides, as tfjs does with `--widen`/`--downcast`).
 */
export function dtypeRefusal(formatId: string, dtype: DTypeName): string | undefined {
  if (TF_NATIVE.has(formatId)) return undefined;
  if (dtype === 'variant') {
    return 'DT_VARIANT holds serialized TensorFlow object state (e.g. a tf.data iterator position) that only a TensorFlow checkpoint can hold';
  }
  if (dtype === 'resource') return 'DT_RESOURCE is a handle, not data';
  const info = dtypeInfo(dtype);
  switch (formatId) {
    case 'safetensors':
      if (info.safetensors) return undefined;
      return dtype === 'string' ? 'safetensors holds numeric tensors only, not strings' : `safetensors has no ${dtype} dtype`;
    case 'keras-h5':
    case 'keras3':
      if (info.kind === 'string') return 'a Keras weights file holds numeric weights only, not strings';
      if (info.kind === 'complex') return `a Keras weights file holds no complex tensors (${dtype})`;
      return undefined;
    case 'npz':
    case 'npy':
      // bfloat16 is widened or stored raw (see implicitCast); everything else NumPy names.
      return info.npy || dtype === 'string' || dtype === 'bfloat16' ? undefined : `NumPy has no ${dtype} dtype`;
    default:
      return undefined;
  }
}

/**
 * A cast the output format needs by default, with the reason for the summary: bfloat16 into
 * `.npz`/`.npy` is widened exactly to float32 (NumPy has no bfloat16) unless `--bfloat16 raw`
 * or `--bfloat16 refuse` is given.
 */
export function implicitCast(formatId: string, dtype: DTypeName, extra?: Readonly<Record<string, string | boolean>>): { to: DTypeName; why: string } | undefined {
  if ((formatId === 'npz' || formatId === 'npy') && dtype === 'bfloat16' && bfloat16Policy(extra) === 'float32') {
    return { to: 'float32', why: 'NumPy has no bfloat16 (--bfloat16 raw stores the 2-byte values as |V2, --bfloat16 refuse stops instead)' };
  }
  return undefined;
}
