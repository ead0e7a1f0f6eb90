/**
 * `tfweights ls PATH [--json] [--tree] [--include GLOB]`: the format and every tensor, parameter
 * counts per layer and in total (as Keras's model.summary() counts them), SavedModel signatures.
 */
import type { TensorInfo, TensorReader } from '@tfweights/core';
import type { Io } from '../io.js';
import { byteCountOf, readableName, formatBytes, makeFilter, refusedEntries } from 'tfweights/cli';
import type { SavedModelReader, SignatureInfo } from '@tfweights/savedmodel';
import { describeSignature } from '@tfweights/savedmodel/detect';
import { groupDigits, paramCount, paramTotals, treeText } from './ls-summary.js';

export interface LsOptions {
  json?: boolean;
  /** Print the names as a tree of path segments. */
  tree?: boolean;
  /** Only tensors whose readable name or key matches one of these globs. */
  include?: readonly string[];
}

/** The reader restricted to the tensors `include` selects (all when empty). */
function selected(reader: TensorReader, include: readonly string[] = []): TensorReader {
  if (include.length === 0) return reader;
  const keep = makeFilter({ include });
  const infos = reader.list().filter(keep);
  const keys = new Set(infos.map((t) => t.key));
  const layers = reader.layers?.()?.map((l) => ({ ...l, weights: l.weights.filter((k) => keys.has(k)) })).filter((l) => l.weights.length > 0);
  return Object.assign(Object.create(reader) as TensorReader, { list: () => infos, ...(layers ? { layers: () => layers } : {}) });
}

/** Signatures of a SavedModel (like `saved_model_cli show --all`), else none. */
function signaturesOf(reader: TensorReader): readonly SignatureInfo[] {
  const r = reader as Partial<SavedModelReader>;
  return reader.format === 'savedmodel' && typeof r.signatures === 'function' ? r.signatures() : [];
}

/** The `--json` object of `ls`. */
export function lsJson(reader: TensorReader): Record<string, unknown> {
  const tensors = reader.list().map((t) => ({
    key: t.key,
    name: readableName(t),
    dtype: t.dtype,
    shape: [...t.shape],
    bytes: byteCountOf(t),
    params: paramCount(t),
    role: t.role ?? 'weight',
    ...(t.layer ? { layer: t.layer } : {}),
    ...(t.attrs ? { attrs: t.attrs } : {}),
  }));
  const layers = reader.layers?.();
  const totals = paramTotals(reader.list());
  const byKey = new Map(reader.list().map((t) => [t.key, t]));
  const signatures = signaturesOf(reader);
  const refused = refusedEntries(reader);
  return {
    format: reader.format,
    source: reader.source,
    tensors,
    ...(refused.length > 0 ? { refused } : {}),
    ...(layers && layers.length > 0 ? {
      layers: layers.map((l) => ({
        name: l.name, ...(l.className ? { className: l.className } : {}), weights: [...l.weights],
        params: l.weights.reduce((s, k) => s + (byKey.has(k) ? paramCount(byKey.get(k)!) : 0), 0),
      })),
    } : {}),
    params: totals,
    ...(signatures.length > 0 ? { signatures } : {}),
  };
}

const MARK: Record<string, string> = { optimizer: '[optimizer]', bookkeeping: '[bookkeeping]', metadata: '[metadata]' };

/** The text listing: a table, grouped by layer when the format knows layers. */
export function lsText(reader: TensorReader): string {
  const infos = reader.list();
  const refused = refusedEntries(reader);
  const lines: string[] = [`${reader.source}: ${reader.format}, ${infos.length} tensors, ${formatBytes(infos.reduce((s, t) => s + byteCountOf(t), 0))}` +
    (refused.length > 0 ? `; ${refused.length} refused` : '')];
  const count = (items: readonly TensorInfo[]) => groupDigits(items.reduce((s, t) => s + paramCount(t), 0));
  const layers = (reader.layers?.() ?? []).filter((l) => l.weights.length > 0);
  const byKey = new Map(infos.map((t) => [t.key, t]));
  const listed = new Set<string>();
  const groups: { title?: string; items: TensorInfo[] }[] = [];
  for (const l of layers) {
    const items = l.weights.map((k) => byKey.get(k)).filter((t): t is TensorInfo => t !== undefined);
    items.forEach((t) => listed.add(t.key));
    groups.push({ title: `layer ${l.name}${l.className ? ` (${l.className})` : ''}: ${count(items.filter((t) => (t.role ?? 'weight') === 'weight'))} params`, items });
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
  const totals = paramTotals(infos);
  lines.push(`params: ${groupDigits(totals.weights)} in weights` +
    `${totals.optimizer > 0 ? `, ${groupDigits(totals.optimizer)} in optimizer state` : ''}` +
    `${totals.other > 0 ? `, ${groupDigits(totals.other)} other (bookkeeping, metadata)` : ''}`);
  for (const sig of signaturesOf(reader)) lines.push(`signature ${describeSignature(sig)}`);
  // Entries that exist but cannot be read, with the reason (never silently uncounted).
  for (const r of refused) lines.push(`  refused  ${r.key}: ${r.why}`);
  return lines.join('\n') + '\n';
}

function row(t: TensorInfo): string[] {
  return [readableName(t), t.dtype, `[${t.shape.join(', ')}]`, formatBytes(byteCountOf(t))];
}

export function runLs(input: TensorReader, opts: LsOptions | boolean, io: Io): number {
  const o: LsOptions = typeof opts === 'boolean' ? { json: opts } : opts;
  const reader = selected(input, o.include);
  io.out(o.json ? JSON.stringify(lsJson(reader), null, 2) + '\n' : o.tree ? treeText(reader) : lsText(reader));
  return 0;
}
