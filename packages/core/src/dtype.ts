/**
 * The one dtype table. Every codec maps through it; nobody keeps a private dtype switch.
 * Facts from tensorflow/core/framework/types.proto (enum numbers), NumPy's dtype.str,
 * safetensors' Dtype enum and tfjs's DataType (see FORMATS.md §0.3).
 */
import { UnsupportedDtypeError } from './errors.js';

export type DTypeName =
  | 'float32' | 'float64' | 'int32' | 'uint8' | 'int16' | 'int8' | 'string' | 'complex64'
  | 'int64' | 'bool' | 'qint8' | 'quint8' | 'qint32' | 'bfloat16' | 'qint16' | 'quint16'
  | 'uint16' | 'complex128' | 'float16' | 'resource' | 'variant' | 'uint32' | 'uint64'
  | 'float8_e5m2' | 'float8_e4m3fn' | 'float8_e4m3fnuz' | 'float8_e4m3b11fnuz' | 'float8_e5m2fnuz'
  | 'int4' | 'uint4' | 'int2' | 'uint2';

/** How the bytes of one element are to be understood. */
export type DTypeKind = 'float' | 'int' | 'uint' | 'bool' | 'complex' | 'string' | 'quantized' | 'opaque';

export interface DTypeInfo {
  readonly name: DTypeName;
  /** TensorFlow `DataType` enum number (types.proto). */
  readonly tfEnum: number;
  /** TensorFlow enum spelling, e.g. `DT_FLOAT`. */
  readonly tfName: string;
  /** Bytes per element; 0 for variable-size (string, variant, resource). */
  readonly itemSize: number;
  readonly kind: DTypeKind;
  /** Size of one scalar component in bytes (complex: half the item), used for byte swapping. */
  readonly componentSize: number;
  /** NumPy `descr` (little-endian), when NumPy has the type. */
  readonly npy?: string;
  /** safetensors dtype string, when safetensors has the type. */
  readonly safetensors?: string;
  /** tfjs `DataType` that stores it natively, when tfjs has one. */
  readonly tfjs?: 'float32' | 'int32' | 'bool' | 'complex64' | 'string';
  /** HDF5 type class as h5py writes it. */
  readonly hdf5?: 'float' | 'integer' | 'enum-bool' | 'string' | 'compound-complex' | 'opaque';
  /** The dtypes every codec can decode, the ones `truth.json` names; the rest pass through as raw bytes. */
  readonly common: boolean;
}

function d(
  name: DTypeName, tfEnum: number, itemSize: number, kind: DTypeKind, extra: Partial<DTypeInfo> = {},
): DTypeInfo {
  const componentSize = kind === 'complex' ? itemSize / 2 : itemSize;
  return { name, tfEnum, tfName: `DT_${tfNameOf(name)}`, itemSize, kind, componentSize, common: false, ...extra };
}

function tfNameOf(name: DTypeName): string {
  const special: Partial<Record<DTypeName, string>> = { float32: 'FLOAT', float64: 'DOUBLE', float16: 'HALF' };
  return special[name] ?? name.toUpperCase();
}

const TABLE: readonly DTypeInfo[] = [
  d('float32', 1, 4, 'float', { npy: '<f4', safetensors: 'F32', tfjs: 'float32', hdf5: 'float', common: true }),
  d('float64', 2, 8, 'float', { npy: '<f8', safetensors: 'F64', hdf5: 'float', common: true }),
  d('int32', 3, 4, 'int', { npy: '<i4', safetensors: 'I32', tfjs: 'int32', hdf5: 'integer', common: true }),
  d('uint8', 4, 1, 'uint', { npy: '|u1', safetensors: 'U8', hdf5: 'integer', common: true }),
  d('int16', 5, 2, 'int', { npy: '<i2', safetensors: 'I16', hdf5: 'integer', common: true }),
  d('int8', 6, 1, 'int', { npy: '|i1', safetensors: 'I8', hdf5: 'integer', common: true }),
  d('string', 7, 0, 'string', { tfjs: 'string', hdf5: 'string', common: true }),
  d('complex64', 8, 8, 'complex', { npy: '<c8', safetensors: 'C64', tfjs: 'complex64', hdf5: 'compound-complex', common: true }),
  d('int64', 9, 8, 'int', { npy: '<i8', safetensors: 'I64', hdf5: 'integer', common: true }),
  d('bool', 10, 1, 'bool', { npy: '|b1', safetensors: 'BOOL', tfjs: 'bool', hdf5: 'enum-bool', common: true }),
  d('qint8', 11, 1, 'quantized'),
  d('quint8', 12, 1, 'quantized'),
  d('qint32', 13, 4, 'quantized'),
  d('bfloat16', 14, 2, 'float', { safetensors: 'BF16', hdf5: 'opaque', common: true }),
  d('qint16', 15, 2, 'quantized'),
  d('quint16', 16, 2, 'quantized'),
  d('uint16', 17, 2, 'uint', { npy: '<u2', safetensors: 'U16', hdf5: 'integer', common: true }),
  d('complex128', 18, 16, 'complex', { npy: '<c16', hdf5: 'compound-complex', common: true }),
  d('float16', 19, 2, 'float', { npy: '<f2', safetensors: 'F16', hdf5: 'float', common: true }),
  d('resource', 20, 0, 'opaque'),
  d('variant', 21, 0, 'opaque'),
  d('uint32', 22, 4, 'uint', { npy: '<u4', safetensors: 'U32', hdf5: 'integer', common: true }),
  d('uint64', 23, 8, 'uint', { npy: '<u8', safetensors: 'U64', hdf5: 'integer', common: true }),
  d('float8_e5m2', 24, 1, 'opaque', { safetensors: 'F8_E5M2' }),
  d('float8_e4m3fn', 25, 1, 'opaque', { safetensors: 'F8_E4M3' }),
  d('float8_e4m3fnuz', 26, 1, 'opaque', { safetensors: 'F8_E4M3FNUZ' }),
  d('float8_e4m3b11fnuz', 27, 1, 'opaque'),
  d('float8_e5m2fnuz', 28, 1, 'opaque', { safetensors: 'F8_E5M2FNUZ' }),
  // TF stores 4- and 2-bit integers one element per byte in bundles (unverified upstream; FORMATS.md §0.3).
  d('int4', 29, 1, 'opaque'),
  d('uint4', 30, 1, 'opaque'),
  d('int2', 31, 1, 'opaque'),
  d('uint2', 32, 1, 'opaque'),
];

const BY_NAME = new Map(TABLE.map((t) => [t.name, t]));
const BY_ENUM = new Map(TABLE.map((t) => [t.tfEnum, t]));
const BY_NPY = new Map(TABLE.filter((t) => t.npy).map((t) => [t.npy!, t]));
const BY_SAFETENSORS = new Map(TABLE.filter((t) => t.safetensors).map((t) => [t.safetensors!, t]));

/** Every dtype, in TensorFlow enum order. */
export const DTYPES: readonly DTypeInfo[] = TABLE;

/** The dtypes all codecs decode (the names `--json` output and `truth.json` use). */
export const COMMON_DTYPES: readonly DTypeName[] = TABLE.filter((t) => t.common).map((t) => t.name);

export function isDTypeName(name: string): name is DTypeName {
  return BY_NAME.has(name as DTypeName);
}

/** Table row of a dtype; throws UnsupportedDtypeError for an unknown name. */
export function dtypeInfo(name: DTypeName | string): DTypeInfo {
  const info = BY_NAME.get(name as DTypeName);
  if (!info) throw new UnsupportedDtypeError(`unknown dtype '${name}'`);
  return info;
}

/** Dtype of a TensorFlow `DataType` enum number; `*_REF` values (base + 100) map to their base. */
export function dtypeFromTfEnum(value: number, file?: string): DTypeInfo {
  const info = BY_ENUM.get(value > 100 ? value - 100 : value);
  if (!info) throw new UnsupportedDtypeError(`unknown TensorFlow DataType enum ${value}`, { file });
  return info;
}

/** Dtype of a little-endian or byte-order-free NumPy descr (`<f4`, `|b1`); undefined if none. */
export function dtypeFromNpy(descr: string): DTypeInfo | undefined {
  return BY_NPY.get(descr);
}

/** Dtype of a safetensors dtype string (`F32`, `BF16`); undefined if none. */
export function dtypeFromSafetensors(name: string): DTypeInfo | undefined {
  return BY_SAFETENSORS.get(name);
}
