/** `tfweights show PATH NAME`: one tensor's facts, statistics, histogram and first values. */
import type { Tensor, TensorReader } from '@tfweights/core';
import type { Io } from '../io.js';
import { findTensor, readableName, formatBytes, formatNumber, histogram, numericValues, renderHistogram, statsOf } from 'tfweights';

export interface ShowOptions {
  json?: boolean;
  /** How many leading values to print. */
  head?: number;
  bins?: number;
}

export async function runShow(reader: TensorReader, name: string, opts: ShowOptions, io: Io): Promise<number> {
  const info = findTensor(reader, name);
  const t = await reader.read(info.key);
  const n = opts.head ?? 10;
  const values = numericValues(t);
  const stats = values ? statsOf(values) : undefined;
  const first = firstValues(t, values, n);
  if (opts.json) {
    const clean = (v: number) => (Number.isFinite(v) ? v : String(v));
    io.out(JSON.stringify({
      format: reader.format, key: t.key, name: readableName(t), dtype: t.dtype, shape: [...t.shape], bytes: t.byteLength,
      role: t.role ?? 'weight',
      ...(stats ? { stats: Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, clean(v)])) } : {}),
      ...(stats && values && stats.finite > 0 ? { histogram: histogram(values, opts.bins ?? 16) } : {}),
      head: first,
    }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `${readableName(t)}  (${reader.format}, key ${t.key})`,
    `  dtype  ${t.dtype}`,
    `  shape  [${t.shape.join(', ')}]  (${values ? values.length : (t.strings?.length ?? 0)} values, ${formatBytes(t.byteLength)})`,
  ];
  if (t.role && t.role !== 'weight') lines.push(`  role   ${t.role}`);
  if (stats) {
    lines.push(
      `  min ${formatNumber(stats.min)}  max ${formatNumber(stats.max)}  mean ${formatNumber(stats.mean)}  std ${formatNumber(stats.std)}`,
      `  zeros ${stats.zeros}  NaN ${stats.nan}  Inf ${stats.inf}`,
    );
    if (stats.finite > 1 && stats.max > stats.min) {
      lines.push('  histogram:', ...renderHistogram(histogram(values!, opts.bins ?? 16), 40));
    }
  }
  lines.push(`  first values: ${first.map((v) => (typeof v === 'number' ? formatNumber(v) : JSON.stringify(v))).join(', ')}${lengthOf(t, values) > n ? ', …' : ''}`);
  io.out(lines.join('\n') + '\n');
  return 0;
}

function lengthOf(t: Tensor, values: Float64Array | undefined): number {
  return values ? values.length : (t.strings?.length ?? 0);
}

function firstValues(t: Tensor, values: Float64Array | undefined, n: number): (number | string)[] {
  if (values) {
    if (t.dtype === 'int64' || t.dtype === 'uint64') {
      const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      const out: (number | string)[] = [];
      for (let i = 0; i < Math.min(n, t.data.byteLength / 8); i++) {
        const v = t.dtype === 'int64' ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
        out.push(Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
      }
      return out;
    }
    return Array.from(values.subarray(0, n), (v) => (Number.isFinite(v) ? v : String(v)));
  }
  const dec = new TextDecoder('utf-8', { fatal: false });
  return (t.strings ?? []).slice(0, n).map((s) => {
    const text = dec.decode(s.subarray(0, 64));
    return /^[\x20-\x7e]*$/.test(text) ? text : `<${s.byteLength} bytes>`;
  });
}
