/**
 * Reading the `.npy` preamble: magic, version, header length, header dict (NEP 1;
 * numpy/lib/_format_impl.py `read_magic`, `_read_array_header`).
 */
import { CorruptDataError, LimitExceededError, NotThisFormatError, numElements, type ByteSource, type DTypeName } from '@tfweights/core';
import { parseDescr, type NpyElementType } from './descr.js';
import { parsePyLiteral } from './header-parse.js';

/** Longest header accepted (NumPy's own default limit is 10 000 bytes; structured dtypes need more). */
export const MAX_HEADER_BYTES = 1 << 20;

/** Everything the preamble of one `.npy` says. */
export interface NpyHeader {
  readonly version: readonly [number, number];
  /** Offset of the first data byte (preamble + header length). */
  readonly dataOffset: number;
  readonly element: NpyElementType;
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  readonly count: number;
  /** Bytes of data in the file (count × item size). */
  readonly dataBytes: number;
  /** The preamble as read, for CRC checks of zip members. */
  readonly raw: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** True when bytes start with `\x93NUMPY`. */
export function isNpyMagic(head: Uint8Array): boolean {
  return MAGIC.every((b, i) => head[i] === b);
}

/**
 * Read and check a `.npy` preamble from `src` (a file or a stored zip member). `readPrefix`
 * lets compressed members supply their first bytes. Checks the data fits in `available` bytes.
 */
export async function readNpyHeader(
  readPrefix: (length: number) => Promise<Uint8Array>, available: number, file: string, entry?: string,
): Promise<NpyHeader> {
  const where = { file, entry };
  if (available < 10) throw new CorruptDataError('too short for a .npy preamble', { ...where, expected: 'at least 10 bytes', found: `${available}` });
  const pre = await readPrefix(Math.min(12, available));
  if (!isNpyMagic(pre)) throw new NotThisFormatError('not a .npy array (no \\x93NUMPY magic)', { ...where, offset: 0 });
  const major = pre[6]!;
  const minor = pre[7]!;
  if (major < 1 || major > 3) throw new CorruptDataError('unknown .npy format version', { ...where, offset: 6, expected: '1.0, 2.0 or 3.0', found: `${major}.${minor}` });
  const prefix = major === 1 ? 10 : 12;
  if (available < prefix) throw new CorruptDataError('truncated .npy preamble', where);
  const headerLen = major === 1 ? pre[8]! | (pre[9]! << 8) : new DataView(pre.buffer, pre.byteOffset, pre.byteLength).getUint32(8, true);
  if (headerLen > MAX_HEADER_BYTES) {
    throw new LimitExceededError('.npy header is implausibly large', { ...where, offset: 8, expected: `at most ${MAX_HEADER_BYTES} bytes`, found: `${headerLen}` });
  }
  if (prefix + headerLen > available) {
    throw new CorruptDataError('.npy header runs past the end (truncated?)', { ...where, offset: prefix, expected: `${headerLen} header bytes`, found: `${available - prefix}` });
  }
  const raw = await readPrefix(prefix + headerLen);
  const headerBytes = raw.subarray(prefix);
  // v1/v2 headers are latin-1, v3 is UTF-8.
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : Array.from(headerBytes, (b) => String.fromCharCode(b)).join('');
  const d = parsePyLiteral(text.trimEnd(), file, entry);
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new CorruptDataError('.npy header is not a dict', where);
  const keys = Object.keys(d).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    throw new CorruptDataError('.npy header has the wrong keys', { ...where, expected: "'descr', 'fortran_order', 'shape'", found: keys });
  }
  const fortranOrder = d.fortran_order;
  if (typeof fortranOrder !== 'boolean') throw new CorruptDataError("'fortran_order' is not a bool", where);
  const shapeValue = d.shape;
  if (!Array.isArray(shapeValue) || !shapeValue.every((n): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) {
    throw new CorruptDataError("'shape' is not a tuple of non-negative ints", { ...where, found: JSON.stringify(shapeValue) });
  }
  const element = parseDescr(d.descr, file, entry);
  const shape = shapeValue as number[];
  let count: number;
  try {
    count = numElements(shape);
  } catch {
    throw new CorruptDataError('shape has too many elements', { ...where, found: `(${shape.join(', ')})` });
  }
  const dataBytes = count * element.itemSize;
  const dataOffset = prefix + headerLen;
  if (!Number.isSafeInteger(dataBytes) || dataOffset + dataBytes > available) {
    throw new CorruptDataError('array data runs past the end (truncated?)', {
      ...where, offset: dataOffset, expected: `${dataBytes} bytes for ${element.descr} (${shape.join(', ')})`, found: `${Math.max(0, available - dataOffset)}`,
    });
  }
  return { version: [major, minor], dataOffset, element, dtype: element.dtype, shape, fortranOrder, count, dataBytes, raw };
}

/** A prefix reader over a ByteSource. */
export function sourcePrefix(src: ByteSource): (length: number) => Promise<Uint8Array> {
  return (length) => src.read(0, length, '.npy header');
}
