/**
 * safetensors dtype strings, their bit widths and their sort rank. The list is the `Dtype`
 * enum of huggingface/safetensors `safetensors/src/tensor.rs` in declaration order; the
 * reference writer sorts tensors by this order, descending (FORMATS.md §9).
 */
import { dtypeFromSafetensors, dtypeInfo, UnsupportedDtypeError, type DTypeName } from '@tfweights/core';

/** [safetensors dtype string, bits per element], in the reference enum's declared order. */
const ENUM_ORDER: readonly (readonly [string, number])[] = [
  ['BOOL', 8], ['F4', 4], ['F6_E2M3', 6], ['F6_E3M2', 6], ['U8', 8], ['I8', 8], ['F8_E5M2', 8],
  ['F8_E4M3', 8], ['F8_E8M0', 8], ['F8_E4M3FNUZ', 8], ['F8_E5M2FNUZ', 8], ['I16', 16], ['U16', 16],
  ['F16', 16], ['BF16', 16], ['I32', 32], ['U32', 32], ['F32', 32], ['C64', 64], ['F64', 64],
  ['I64', 64], ['U64', 64],
];

const BITS = new Map(ENUM_ORDER.map(([name, bits]) => [name, bits]));
const RANK = new Map(ENUM_ORDER.map(([name], i) => [name, i]));

/** Every dtype string the safetensors format defines. */
export const SAFETENSORS_DTYPES: readonly string[] = ENUM_ORDER.map(([name]) => name);

/** Bits per element of a safetensors dtype string; undefined for an unknown string. */
export function safetensorsBits(dtype: string): number | undefined {
  return BITS.get(dtype);
}

/** Position of a safetensors dtype in the reference enum (higher sorts first when writing). */
export function safetensorsRank(dtype: string): number {
  const r = RANK.get(dtype);
  if (r === undefined) throw new UnsupportedDtypeError(`'${dtype}' is not a safetensors dtype`);
  return r;
}

/**
 * The tfweights dtype of a safetensors dtype string, or undefined when the core table has no
 * such type (F4, F6_E2M3, F6_E3M2, F8_E8M0: sub-byte or exotic floats TensorFlow lacks).
 */
export function coreDtypeOf(dtype: string): DTypeName | undefined {
  return dtypeFromSafetensors(dtype)?.name;
}

/** The safetensors spelling of a tfweights dtype; throws UnsupportedDtypeError when it has none. */
export function safetensorsDtypeOf(dtype: DTypeName, entry?: string, file?: string): string {
  const s = dtypeInfo(dtype).safetensors;
  if (!s) {
    throw new UnsupportedDtypeError(`dtype ${dtype} cannot be stored in safetensors`, {
      entry, file, expected: `one of ${SAFETENSORS_DTYPES.join(', ')}`,
    });
  }
  return s;
}
