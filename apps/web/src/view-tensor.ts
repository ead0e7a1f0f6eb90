/** One tensor: dtype, shape, stats, a histogram (SVG) from a streaming pass, and its first values. */
import type { Tensor, TensorInfo } from '@tfweights/core';
import { formatBytes, formatNumber, readableName, type Histogram } from 'tfweights';
import { el, svg } from './dom.js';
import { streamStats } from './tensor-stats.js';

export function histogramSvg(h: Histogram, label: string): SVGElement {
  const W = 320, H = 120, pad = 18;
  const max = Math.max(1, ...h.counts);
  const bw = (W - 2 * pad) / h.counts.length;
  const root = svg('svg', { width: W, height: H + 16, viewBox: `0 0 ${W} ${H + 16}`, role: 'img', 'aria-label': label, class: 'histogram' });
  h.counts.forEach((c, i) => {
    const bh = ((H - pad) * c) / max;
    const r = svg('rect', { x: pad + i * bw, y: H - bh, width: Math.max(1, bw - 1), height: bh, fill: '#0b5cad', 'data-count': c });
    const t = svg('title', {});
    t.textContent = `${c}`;
    r.append(t);
    root.append(r);
  });
  const lo = svg('text', { x: pad, y: H + 13, 'font-size': 11 });
  lo.textContent = formatNumber(h.lo);
  const hi = svg('text', { x: W - pad, y: H + 13, 'font-size': 11, 'text-anchor': 'end' });
  hi.textContent = formatNumber(h.hi);
  root.append(lo, hi);
  return root;
}

export function renderTensor(host: HTMLElement, info: TensorInfo, t: Tensor): void {
  const rows: [string, string][] = [
    ['name', readableName(info)], ['key', info.key], ['dtype', info.dtype], ['shape', `[${info.shape.join(', ')}]`],
    ['bytes', formatBytes(t.byteLength)], ...(info.role ? [['role', info.role] as [string, string]] : []),
    ...Object.entries(info.attrs ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
  ];
  const parts: (HTMLElement | SVGElement)[] = [el('h3', {}, readableName(info)), el('dl', { class: 'summary' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)]))];
  const s = streamStats(t);
  if (s) {
    const st = s.stats;
    parts.push(el('dl', { class: 'summary stats' }, ...([
      ['min', formatNumber(st.min)], ['max', formatNumber(st.max)], ['mean', formatNumber(st.mean)], ['std', formatNumber(st.std)],
      ['zeros', String(st.zeros)], ['NaN', String(st.nan)], ['±inf', String(st.inf)],
    ] as [string, string][]).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-stat': k }, v)])));
    parts.push(histogramSvg(s.histogram, `histogram of ${readableName(info)}: ${s.histogram.counts.length} bins from ${formatNumber(s.histogram.lo)} to ${formatNumber(s.histogram.hi)}`));
    parts.push(el('p', {}, 'First values: ', el('span', { class: 'values', 'data-first-values': '' }, s.head.map(formatNumber).join(', ') + (st.count > s.head.length ? ', …' : ''))));
  } else if (t.strings) {
    const dec = new TextDecoder();
    parts.push(el('p', {}, 'First values: ', el('span', { class: 'values' }, t.strings.slice(0, 5).map((b) => JSON.stringify(dec.decode(b.subarray(0, 80)))).join(', '))));
  } else {
    parts.push(el('p', {}, `${info.dtype} values are shown as raw bytes only.`));
  }
  host.replaceChildren(...parts);
}
