/**
 * Entries a reader found but cannot read (an `.npz` member holding a pickled object array, a
 * non-`.npy` member, a safetensors dtype with no tfweights equivalent): listed by `ls` and
 * reported as left out by `convert`, with the reason, instead of vanishing from the count.
 */
import type { TensorReader } from '@tfweights/core';

/** One entry that exists in the file but is not readable here. */
export interface RefusedEntry {
  readonly key: string;
  readonly why: string;
}

function isRefusedList(v: unknown): v is readonly RefusedEntry[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && typeof (x as RefusedEntry).key === 'string' && typeof (x as RefusedEntry).why === 'string');
}

/** Every refused entry of a reader (npz `refused`, safetensors `unsupported`), in file order. */
export function refusedEntries(reader: TensorReader): RefusedEntry[] {
  const r = reader as TensorReader & { refused?: unknown; unsupported?: unknown; reader?: unknown };
  if (isRefusedList(r.refused)) return [...r.refused];
  if (isRefusedList(r.metadata?.refused)) return [...r.metadata.refused];
  // A wrapper (WeightsFile from open()) reports what the reader it wraps refused.
  if (r.reader && r.reader !== reader && typeof (r.reader as TensorReader).list === 'function') return refusedEntries(r.reader as TensorReader);
  if (Array.isArray(r.unsupported)) {
    return (r.unsupported as { name?: unknown; dtype?: unknown }[])
      .filter((u) => typeof u.name === 'string')
      .map((u) => ({ key: String(u.name), why: `safetensors dtype ${String(u.dtype)} has no tfweights dtype` }));
  }
  return [];
}
