/** Grouping a reader's tensors into layers (no tfjs-core needed). */
import type { LayerInfo, TensorReader } from '@tfweights/core';

/** Layers of a reader: its own `layers()`, or tensors grouped by their `layer` (or name prefix). */
export function layersOf(reader: Pick<TensorReader, 'list' | 'layers'>): LayerInfo[] {
  const own = reader.layers?.();
  if (own && own.length > 0) return [...own];
  const by = new Map<string, string[]>();
  for (const i of reader.list()) {
    const layer = i.layer ?? (i.name.includes('/') ? i.name.slice(0, i.name.lastIndexOf('/')) : i.name);
    by.set(layer, [...(by.get(layer) ?? []), i.key]);
  }
  return [...by].map(([name, weights]) => ({ name, weights }));
}
