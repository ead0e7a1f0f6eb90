/**
 * The contents view: format and sizes, parameter counts per layer and in total (like
 * `model.summary()`), SavedModel signatures, and a tree of layers/objects with their weights
 * (optimizer state marked, hideable), filtered by name or glob.
 */
import { numElements, type TensorInfo, type TensorReader } from '@tfweights/core';
import { describeSignature, type SavedModelReader } from '@tfweights/savedmodel';
import { formatBytes, globToRegExp, readableName, WeightsFile, byteCountOf } from 'tfweights';
import { el } from './dom.js';

export function paramsOf(t: TensorInfo): number {
  try {
    return numElements(t.shape);
  } catch {
    return 0;
  }
}

const group = (n: number) => n.toLocaleString('en-US');

/** Layers and groups of tensors in model order: layers first, then optimizer state, bookkeeping, metadata. */
export function groupsOf(file: WeightsFile): { name: string; className?: string; role: string; tensors: TensorInfo[] }[] {
  const byKey = new Map(file.list().map((t) => [t.key, t]));
  const placed = new Set<string>();
  const out: { name: string; className?: string; role: string; tensors: TensorInfo[] }[] = [];
  for (const l of file.layers()) {
    const tensors = l.weights.map((k) => byKey.get(k)).filter((t): t is TensorInfo => Boolean(t));
    tensors.forEach((t) => placed.add(t.key));
    out.push({ name: l.name, ...(l.className ? { className: l.className } : {}), role: 'weight', tensors });
  }
  const rest = new Map<string, TensorInfo[]>();
  for (const t of file.list()) {
    if (placed.has(t.key)) continue;
    const role = t.role ?? 'weight';
    rest.set(role, [...(rest.get(role) ?? []), t]);
  }
  const titles: Record<string, string> = { weight: 'Other weights', optimizer: 'Optimizer state', bookkeeping: 'Bookkeeping', metadata: 'Metadata' };
  for (const [role, tensors] of rest) out.push({ name: titles[role] ?? role, role, tensors });
  return out;
}

export function renderSummary(dl: HTMLElement, file: WeightsFile, inputBytes: number | undefined): void {
  const all = file.list();
  const weights = all.filter((t) => (t.role ?? 'weight') === 'weight');
  const optimizer = all.filter((t) => t.role === 'optimizer');
  const rows: [string, string][] = [
    ['Format', file.format],
    ['Source', file.source],
    ...(inputBytes !== undefined ? [['File size', `${formatBytes(inputBytes)} (${group(inputBytes)} bytes)`] as [string, string]] : []),
    ['Tensors', `${all.length} (${weights.length} weights${optimizer.length ? `, ${optimizer.length} optimizer state` : ''})`],
    ['Parameters', `${group(weights.reduce((s, t) => s + paramsOf(t), 0))} in weights${optimizer.length ? `, ${group(optimizer.reduce((s, t) => s + paramsOf(t), 0))} in optimizer state` : ''}`],
    ['Tensor bytes', formatBytes(all.reduce((s, t) => s + byteCountOf(t), 0))],
  ];
  const kv = file.metadata?.keras_version;
  if (typeof kv === 'string') rows.push(['Keras version', kv]);
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k.toLowerCase().replace(/ /g, '-') }, v)]));
}

export function renderSignatures(host: HTMLElement, reader: TensorReader): void {
  const sm = reader as Partial<SavedModelReader>;
  host.replaceChildren();
  if (reader.format !== 'savedmodel' || typeof sm.signatures !== 'function') return;
  const sigs = sm.signatures();
  if (sigs.length === 0) return;
  host.append(el('h3', {}, 'Signatures'), el('ul', { class: 'signatures' }, ...sigs.map((s) => el('li', { class: 'values' }, describeSignature(s)))));
}

/** A matcher for the filter box: a glob when it has wildcards, else a case-insensitive substring. */
export function filterOf(text: string): (t: TensorInfo) => boolean {
  const q = text.trim();
  if (q === '') return () => true;
  if (/[*?[]/.test(q)) {
    const re = globToRegExp(q);
    return (t) => re.test(readableName(t)) || re.test(t.key);
  }
  const lower = q.toLowerCase();
  return (t) => readableName(t).toLowerCase().includes(lower) || t.key.toLowerCase().includes(lower);
}

/** The tree: one <details> per layer/group, a table of its tensors; names are buttons that show the tensor. */
export function renderTree(host: HTMLElement, file: WeightsFile, opts: { filter: string; hideOptimizer: boolean; onPick: (t: TensorInfo) => void }): void {
  const keep = filterOf(opts.filter);
  const parts: HTMLElement[] = [];
  const layerRows: HTMLElement[] = [];
  for (const g of groupsOf(file)) {
    if (opts.hideOptimizer && g.role === 'optimizer') continue;
    const tensors = g.tensors.filter((t) => keep(t) && !(opts.hideOptimizer && t.role === 'optimizer'));
    if (tensors.length === 0) continue;
    const params = g.tensors.reduce((s, t) => s + paramsOf(t), 0);
    if (g.role === 'weight') layerRows.push(el('tr', {}, el('td', {}, g.name), el('td', {}, g.className ?? ''), el('td', { class: 'num' }, group(params))));
    const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'dtype'), el('th', {}, 'shape'), el('th', { class: 'num' }, 'params'))));
    const body = el('tbody');
    for (const t of tensors) {
      const name = el('button', { type: 'button', class: 'tensor-name', 'data-key': t.key }, readableName(t));
      name.addEventListener('click', () => opts.onPick(t));
      const cell = el('td', {}, name);
      if (t.role && t.role !== 'weight') cell.append(el('span', { class: 'badge' }, t.role));
      body.append(el('tr', { class: t.role ?? 'weight', 'data-name': readableName(t) }, cell, el('td', {}, t.dtype), el('td', { class: 'shape' }, `[${t.shape.join(', ')}]`), el('td', { class: 'num' }, group(paramsOf(t)))));
    }
    table.append(body);
    const d = el('details', { open: '' }, el('summary', {}, `${g.name}${g.className ? ` (${g.className})` : ''} — ${tensors.length} tensor(s), ${group(params)} params`), table);
    parts.push(d);
  }
  const summary = layerRows.length > 1
    ? [el('details', {}, el('summary', {}, 'Layer summary'), el('table', { class: 'layer-summary' }, el('thead', {}, el('tr', {}, el('th', {}, 'layer'), el('th', {}, 'class'), el('th', { class: 'num' }, 'params'))), el('tbody', {}, ...layerRows)))]
    : [];
  host.replaceChildren(...summary, ...(parts.length ? parts : [el('p', {}, 'No tensor matches the filter.')]));
}
