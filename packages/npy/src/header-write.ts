/**
 * The `.npy` header exactly as current NumPy writes it (numpy/lib/_format_impl.py
 * `_write_array_header` + `_wrap_header`): dict with sorted keys, `repr` values, then
 * GROWTH_AXIS_MAX_DIGITS − len(repr(growth axis)) spaces, then padding so that the data
 * starts at a multiple of ARRAY_ALIGN (64), ending in '\n'. Version 1.0 unless the header
 * needs more than 65535 bytes (2.0), or is not latin-1 (3.0).
 */
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Python repr of a shape tuple: `()`, `(3,)`, `(2, 3)`. */
export function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** Build the whole preamble (magic, version, length, header text). */
export function buildNpyHeader(descr: string, shape: readonly number[], fortranOrder = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) {
    const growth = fortranOrder ? shape[shape.length - 1]! : shape[0]!;
    header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(growth).length);
  }
  // Non-latin-1 text only appears in structured field names, which we never write: always latin-1.
  for (const [major, prefix, maxLen] of [[1, 10, 0xffff], [2, 12, 0xffffffff]] as const) {
    const pad = ARRAY_ALIGN - ((prefix + header.length + 1) % ARRAY_ALIGN);
    const full = header + ' '.repeat(pad) + '\n';
    if (full.length > maxLen) continue;
    const out = new Uint8Array(prefix + full.length);
    out.set(MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    const v = new DataView(out.buffer);
    if (major === 1) v.setUint16(8, full.length, true);
    else v.setUint32(8, full.length, true);
    for (let k = 0; k < full.length; k++) out[prefix + k] = full.charCodeAt(k);
    return out;
  }
  throw new RangeError('npy header too large');
}
