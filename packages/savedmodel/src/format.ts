/**
 * Format descriptor. A SavedModel is a directory; the sniffer recognises its `saved_model.pb`
 * (a SavedModel proto starts with `saved_model_schema_version` = 1 (`08 01`) and/or a
 * `meta_graphs` record (`12 <len>`) whose first field is a MetaGraphDef field), and the CLI
 * detects directories with `isSavedModelDir` from `@tfweights/savedmodel/node`.
 */
import type { Format, SniffInput } from '@tfweights/core';

/** True when the head bytes look like a SavedModel proto (file named `saved_model.pb`). */
export function looksLikeSavedModelPb(input: SniffInput): boolean {
  if (!/(^|[\\/])saved_model\.pb$/.test(input.name)) return false;
  const h = input.head;
  let i = 0;
  if (h[0] === 0x08) {
    if (h[1] !== 0x01) return false;
    i = 2;
  }
  if (h[i] !== 0x12) return false;
  // Skip the length varint, then expect a MetaGraphDef field key (fields 1–7, wire type 2).
  let j = i + 1;
  while (j < h.length && j < i + 6 && (h[j]! & 0x80) !== 0) j++;
  const key = h[j + 1];
  return key !== undefined && (key & 7) === 2 && (key >>> 3) >= 1 && (key >>> 3) <= 7;
}

export const savedModelFormat: Format = {
  id: 'savedmodel',
  title: 'TensorFlow SavedModel (directory: saved_model.pb + variables/)',
  extensions: [],
  sniff: looksLikeSavedModelPb,
};
