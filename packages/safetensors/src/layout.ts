/**
 * The reference writer's layout (huggingface/safetensors `safetensors/src/tensor.rs`,
 * `prepare` / `serialize`): tensors ordered by dtype descending in enum order, then by name;
 * contiguous offsets; compact JSON with `__metadata__` first and each entry as
 * `dtype, shape, data_offsets`; header padded with spaces to a multiple of 8 bytes.
 */
import { byteLengthOf, InvalidArgumentError, type TensorInfo } from '@tfweights/core';
import { safetensorsDtypeOf, safetensorsRank } from './dtypes.js';
import { MAX_HEADER_SIZE } from './header.js';

/** One tensor's place in the output. */
export interface PlannedTensor {
  readonly key: string;
  readonly info: TensorInfo;
  readonly stDtype: string;
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsLayout {
  /** The 8-byte length followed by the padded header. */
  readonly prefix: Uint8Array;
  /** Tensors in the order their bytes follow the header. */
  readonly tensors: readonly PlannedTensor[];
  /** Total file size. */
  readonly fileSize: number;
}

const utf8 = new TextEncoder();

/** Compare two strings by their UTF-8 bytes (Rust's `String` order), not UTF-16 units. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Plan a file for these tensors: order, offsets and header bytes. Tensor keys become names. */
export function planSafetensors(
  infos: readonly TensorInfo[], metadata?: Readonly<Record<string, string>>, file?: string,
): SafetensorsLayout {
  const seen = new Set<string>();
  const items = infos.map((info) => {
    if (info.key === '__metadata__') throw new InvalidArgumentError("a tensor cannot be named '__metadata__'", { file, entry: info.key });
    if (seen.has(info.key)) throw new InvalidArgumentError('two tensors have the same name', { file, entry: info.key });
    seen.add(info.key);
    const stDtype = safetensorsDtypeOf(info.dtype, info.key, file);
    return { info, stDtype, rank: safetensorsRank(stDtype), bytes: byteLengthOf(info.dtype, info.shape) };
  });
  items.sort((a, b) => b.rank - a.rank || compareUtf8(a.info.key, b.info.key));

  let at = 0;
  const tensors: PlannedTensor[] = items.map(({ info, stDtype, bytes }) => {
    const t = { key: info.key, info, stDtype, begin: at, end: at + bytes };
    at += bytes;
    return t;
  });

  const parts: string[] = [];
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new InvalidArgumentError('safetensors metadata values must be strings', { file, entry: k });
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  for (const t of tensors) {
    parts.push(`${JSON.stringify(t.key)}:{"dtype":"${t.stDtype}","shape":[${t.info.shape.join(',')}],"data_offsets":[${t.begin},${t.end}]}`);
  }
  const json = utf8.encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded > MAX_HEADER_SIZE) throw new InvalidArgumentError(`header would be ${padded} bytes, more than safetensors allows (${MAX_HEADER_SIZE})`, { file });
  const prefix = new Uint8Array(8 + padded).fill(0x20, 8 + json.byteLength);
  new DataView(prefix.buffer).setUint32(0, padded, true);
  prefix.set(json, 8);
  return { prefix, tensors, fileSize: prefix.byteLength + at };
}
