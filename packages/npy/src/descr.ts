/**
 * NumPy `descr` strings ↔ tfweights dtypes. A descr is `dtype.str`: byte order (`<` little,
 * `>` big, `|` not applicable, `=` native), a kind letter and an item size
 * (numpy/lib/_format_impl.py `dtype_to_descr`; NumPy's `dtype.str`).
 */
import { dtypeFromNpy, dtypeInfo, UnsupportedDtypeError, type DTypeName } from '@tfweights/core';

/** What a descr says about the bytes of one element. */
export interface NpyElementType {
  /** The descr as found in the file. */
  readonly descr: string;
  readonly dtype: DTypeName;
  /** Bytes per element in the file. */
  readonly itemSize: number;
  /** True when multi-byte components are big-endian in the file. */
  readonly bigEndian: boolean;
  /** Size of one component for byte swapping (complex: half the item). */
  readonly componentSize: number;
  /** `S` (bytes) or `U` (UCS-4 text) for fixed-width string arrays. */
  readonly stringKind?: 'S' | 'U';
}

const DESCR = /^([<>|=])?([a-zA-Z])(\d+)$/;

/**
 * Parse a descr value from a header. Object arrays (`|O`, pickled) and structured dtypes
 * are refused with UnsupportedDtypeError, never unpickled.
 */
export function parseDescr(descr: unknown, file: string, entry?: string): NpyElementType {
  const where = { file, entry };
  if (typeof descr !== 'string') {
    throw new UnsupportedDtypeError('structured (record) arrays are not supported', { ...where, found: 'a list of fields as descr' });
  }
  if (/^[<>|=]?O\d*$/.test(descr)) {
    throw new UnsupportedDtypeError('object arrays hold pickled Python objects; refused (never unpickled)', { ...where, found: `descr '${descr}'` });
  }
  const m = DESCR.exec(descr);
  if (!m) throw new UnsupportedDtypeError(`unsupported NumPy descr '${descr}'`, where);
  const order = m[1] ?? '|';
  const kind = m[2]!;
  const size = Number(m[3]);
  const bigEndian = order === '>';
  if (kind === 'S' || kind === 'U') {
    if (!Number.isSafeInteger(size) || size > 2 ** 31) throw new UnsupportedDtypeError(`string item size ${size} too large`, where);
    // S0/U0 only appear for empty string dtypes; treat them as zero-width items.
    return { descr, dtype: 'string', itemSize: kind === 'U' ? size * 4 : size, bigEndian, componentSize: kind === 'U' ? 4 : 1, stringKind: kind };
  }
  const info = dtypeFromNpy(`${size === 1 ? '|' : '<'}${kind}${size}`);
  if (!info) throw new UnsupportedDtypeError(`unsupported NumPy descr '${descr}'`, { ...where, expected: 'b1, i1–i8, u1–u8, f2/f4/f8, c8/c16, S<n>, U<n>' });
  return { descr, dtype: info.name, itemSize: info.itemSize, bigEndian: bigEndian && info.componentSize > 1, componentSize: info.componentSize };
}

/** The descr NumPy writes for a numeric dtype (little-endian), or UnsupportedDtypeError. */
export function descrOf(dtype: DTypeName, key?: string): string {
  const info = dtypeInfo(dtype);
  if (!info.npy) {
    const hint = dtype === 'bfloat16' ? ' (NumPy has no bfloat16; pass bfloat16: "float32" to widen it)' : '';
    throw new UnsupportedDtypeError(`dtype ${dtype} has no NumPy equivalent${hint}`, { entry: key });
  }
  return info.npy;
}
