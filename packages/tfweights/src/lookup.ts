/** Finding tensors by what a user types, and listing them in model order. */
import { TensorNotFoundError, type TensorInfo, type TensorReader } from '@tfweights/core';
import { matchForm, readableName } from './mapping/normalise.js';

/**
 * The tensor a user means: exact key, else exact name, else readable name, else the TF
 * variable name (`full_name`, e.g. `dense/kernel` for `model/layer_with_weights-0/kernel`),
 * else a unique loose match.
 */
export function findTensor(reader: TensorReader, wanted: string): TensorInfo {
  const infos = reader.list();
  const found =
    infos.find((t) => t.key === wanted) ??
    infos.find((t) => t.name === wanted) ??
    infos.find((t) => readableName(t) === wanted) ??
    uniqueBy(infos, (t) => t.attrs?.full_name === wanted) ??
    uniqueBy(infos, (t) => matchForm(readableName(t)) === matchForm(wanted));
  if (!found) {
    const names = [...new Set(infos.flatMap((t) => [t.key, readableName(t)]))];
    throw new TensorNotFoundError(wanted, names, { file: reader.source });
  }
  return found;
}

function uniqueBy<T>(items: readonly T[], pred: (t: T) => boolean): T | undefined {
  const hits = items.filter(pred);
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * Tensors in model order when the reader knows its layers (Keras: layer order, then each
 * layer's weight order), followed by anything the layers do not mention; else the data-file
 * order when the reader has one (checkpoints), else list order.
 */
export function modelOrder(reader: TensorReader): TensorInfo[] {
  const infos = reader.list();
  const layers = reader.layers?.() ?? [];
  if (layers.length === 0) {
    // Checkpoints know the order TF wrote variables in (creation order: kernel before bias).
    const order = dataOrderOf(reader);
    if (!order) return [...infos];
    const rank = new Map(order.map((k, i) => [k, i]));
    return [...infos].sort((a, b) => (rank.get(a.key) ?? Infinity) - (rank.get(b.key) ?? Infinity));
  }
  const byKey = new Map(infos.map((t) => [t.key, t]));
  const seen = new Set<string>();
  const out: TensorInfo[] = [];
  for (const l of layers) {
    for (const k of l.weights) {
      const t = byKey.get(k);
      if (t && !seen.has(k)) {
        seen.add(k);
        out.push(t);
      }
    }
  }
  for (const t of infos) if (!seen.has(t.key)) out.push(t);
  return out;
}

/** Keys in the order the data file stores them, for readers that know it (checkpoints). */
export function dataOrderOf(reader: TensorReader): readonly string[] | undefined {
  return (reader as TensorReader & { dataOrder?: () => readonly string[] | undefined }).dataOrder?.();
}
