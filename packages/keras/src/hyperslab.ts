/**
 * Split a C-order array into hyperslabs of at most `maxBytes` that follow each other in
 * memory, so reads and writes through the wasm heap stay bounded whatever the dataset size.
 */
export interface Hyperslab {
  readonly offset: number[];
  readonly count: number[];
  /** Byte position of the slab in the C-order data. */
  readonly at: number;
  readonly bytes: number;
}

export function* hyperslabs(shape: readonly number[], itemSize: number, maxBytes: number): Generator<Hyperslab> {
  let total = itemSize;
  for (const d of shape) total *= d;
  if (total === 0) return;
  // Outermost axis whose trailing block (one index step) fits in maxBytes.
  let axis = shape.length - 1;
  let inner = itemSize;
  while (axis > 0 && inner * shape[axis]! <= maxBytes) {
    inner *= shape[axis]!;
    axis--;
  }
  const step = Math.max(1, Math.floor(maxBytes / inner));
  const outer = shape.slice(0, axis);
  const idx = outer.map(() => 0);
  const rest = shape.slice(axis + 1);
  let at = 0;
  for (;;) {
    for (let start = 0; start < shape[axis]!; start += step) {
      const n = Math.min(step, shape[axis]! - start);
      yield { offset: [...idx, start, ...rest.map(() => 0)], count: [...outer.map(() => 1), n, ...rest], at, bytes: n * inner };
      at += n * inner;
    }
    let k = outer.length - 1;
    while (k >= 0 && ++idx[k]! >= outer[k]!) idx[k--] = 0;
    if (k < 0) return;
  }
}
