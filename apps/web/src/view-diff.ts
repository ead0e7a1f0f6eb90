/** `tfweights diff` in the page: pairs by name, shapes, max abs difference. */
import type { TensorReader } from '@tfweights/core';
import { diffReaders, formatNumber, readableName } from 'tfweights';
import { el } from './dom.js';

export async function renderDiff(host: HTMLElement, a: TensorReader, b: TensorReader): Promise<void> {
  host.replaceChildren(el('p', {}, 'Comparing…'));
  const r = await diffReaders(a, b);
  const differing = r.pairs.filter((p) => !p.equal);
  const head = el('p', { class: r.equal ? 'diff-ok' : 'diff-bad', 'data-equal': String(r.equal) },
    r.equal ? `Equal: ${r.pairs.length} tensor(s) match.` : `Different: ${differing.length} of ${r.pairs.length} paired tensor(s) differ, ${r.onlyA.length} only in A, ${r.onlyB.length} only in B.`);
  const rows = r.pairs.map((p) => el('tr', { class: p.equal ? '' : 'diff-bad', 'data-name': p.name },
    el('td', {}, p.name), el('td', {}, `[${p.shapeA.join(', ')}]`), el('td', {}, `[${p.shapeB.join(', ')}]`),
    el('td', { class: 'num max-abs' }, p.maxAbs === undefined ? '—' : formatNumber(p.maxAbs)), el('td', {}, p.equal ? 'equal' : (p.problem ?? 'differs'))));
  const only = [...r.onlyA.map((t) => ['A', readableName(t)]), ...r.onlyB.map((t) => ['B', readableName(t)])].map(([side, n]) => el('li', {}, `only in ${side}: ${n}`));
  host.replaceChildren(
    el('p', {}, `A: ${a.source} (${a.format}) — B: ${b.source} (${b.format})`), head,
    ...r.setAside.map((s) => el('p', {}, s)),
    el('table', { class: 'diff' }, el('thead', {}, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'shape A'), el('th', {}, 'shape B'), el('th', { class: 'num' }, 'max |a−b|'), el('th', {}, ''))), el('tbody', {}, ...rows)),
    el('ul', {}, ...only),
  );
}
