/** `tfweights ls PATH [--json]`: the format and every tensor. */
import type { TensorInfo, TensorReader } from '@tfweights/core';
import type { Io } from '../io.js';
import { byteCountOf, readableName, formatBytes, refusedEntries } from 'tfweights';

/** The `--json` object of `ls`. */
export function lsJson(reader: TensorReader): Record<string, unknown> {
  const tensors = reader.list().map((t) => ({
    key: t.key,
    name: readableName(t),
    dtype: t.dtype,
    shape: [...t.shape],
    bytes: byteCountOf(t),
    role: t.role ?? 'weight',
    ...(t.layer ? { layer: t.layer } : {}),
    ...(t.attrs ? { attrs: t.attrs } : {}),
  }));
  const layers = reader.layers?.();
  const refused = refusedEntries(reader);
  return {
    format: reader.format,
    source: reader.source,
    tensors,
    ...(refused.length > 0 ? { refused } : {}),
    ...(layers && layers.length > 0 ? { layers: layers.map((l) => ({ name: l.name, ...(l.className ? { className: l.className } : {}), weights: [...l.weights] })) } : {}),
  };
}

const MARK: Record<string, string> = { optimizer: '[optimizer]', bookkeeping: '[bookkeeping]', metadata: '[metadata]' };

/** The text listing: a table, grouped by layer when the format knows layers. */
export function lsText(reader: TensorReader): string {
  const infos = reader.list();
  const refused = refusedEntries(reader);
  const lines: string[] = [`${reader.source}: ${reader.format}, ${infos.length} tensors, ${formatBytes(infos.reduce((s, t) => s + byteCountOf(t), 0))}` +
    (refused.length > 0 ? `; ${refused.length} refused` : '')];
  const layers = (reader.layers?.() ?? []).filter((l) => l.weights.length > 0);
  const byKey = new Map(infos.map((t) => [t.key, t]));
  const listed = new Set<string>();
  const groups: { title?: string; items: TensorInfo[] }[] = [];
  for (const l of layers) {
    const items = l.weights.map((k) => byKey.get(k)).filter((t): t is TensorInfo => t !== undefined);
    items.forEach((t) => listed.add(t.key));
    groups.push({ title: `layer ${l.name}${l.className ? ` (${l.className})` : ''}`, items });
  }
  const rest = infos.filter((t) => !listed.has(t.key));
  if (rest.length > 0) groups.push({ ...(layers.length > 0 ? { title: 'other' } : {}), items: rest });
  const rows = groups.flatMap((g) => g.items.map((t) => row(t)));
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 0));
  for (const g of groups) {
    if (g.title) lines.push(g.title);
    for (const t of g.items) {
      const r = row(t);
      const cells = [r[0]!.padEnd(widths[0]!), r[1]!.padEnd(widths[1]!), r[2]!.padEnd(widths[2]!), r[3]!.padStart(widths[3]!)];
      const mark = MARK[t.role ?? ''] ?? '';
      const key = t.key !== r[0] ? `key=${t.key}` : '';
      lines.push(`${g.title ? '    ' : '  '}${cells.join('  ')}${[mark, key].filter(Boolean).map((s) => `  ${s}`).join('')}`.trimEnd());
    }
  }
  // Entries that exist but cannot be read, with the reason (never silently uncounted).
  for (const r of refused) lines.push(`  refused  ${r.key}: ${r.why}`);
  return lines.join('\n') + '\n';
}

function row(t: TensorInfo): string[] {
  return [readableName(t), t.dtype, `[${t.shape.join(', ')}]`, formatBytes(byteCountOf(t))];
}

export function runLs(reader: TensorReader, json: boolean, io: Io): number {
  io.out(json ? JSON.stringify(lsJson(reader), null, 2) + '\n' : lsText(reader));
  return 0;
}
