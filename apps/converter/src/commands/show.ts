/**
 * `tfweights show PATH NAME`: one tensor's facts, statistics, histogram and first values.
 * A numeric tensor larger than one chunk is streamed: statistics and histogram are gathered in
 * one pass over its chunks (StreamingStats), so no whole-tensor array of numbers is built.
 */
import { CHUNK_BYTES, dtypeInfo, mapElements, numElements, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import type { Io } from '../io.js';
import {
  findTensor, readableName, formatBytes, formatNumber, histogram, numericValues, renderHistogram, statsOf, StreamingStats,
  type Histogram, type TensorStats,
} from 'tfweights/cli';

export interface ShowOptions {
  json?: boolean;
  /** How many leading values to print. */
  head?: number;
  bins?: number;
}

/** What show prints: the facts, the leading values, and statistics for numeric tensors. */
interface Shown {
  readonly t: TensorInfo;
  /** How many values (components for complex). */
  readonly count: number;
  readonly first: (number | string)[];
  readonly stats?: TensorStats;
  readonly histogram?: (bins: number) => Histogram;
}

function numeric(info: TensorInfo): boolean {
  const d = dtypeInfo(info.dtype);
  return d.itemSize > 0 && d.kind !== 'string' && d.kind !== 'opaque' && d.kind !== 'quantized';
}

/** Whole tensor in memory: exact histogram over the values. */
async function shownWhole(reader: TensorReader, info: TensorInfo, n: number): Promise<Shown> {
  const t = await reader.read(info.key);
  const values = numericValues(t);
  return {
    t, count: values ? values.length : (t.strings?.length ?? 0), first: firstValues(t, values, n),
    ...(values ? { stats: statsOf(values), histogram: (bins: number) => histogram(values, bins) } : {}),
  };
}

/** One pass over the chunks: statistics, fine histogram, and the leading values. */
async function shownStreamed(reader: TensorReader, info: TensorInfo, n: number): Promise<Shown> {
  const c = await reader.readChunked!(info.key);
  const size = dtypeInfo(c.dtype).itemSize;
  const acc = new StreamingStats(c.dtype);
  let head: Uint8Array | undefined;
  // Whole elements per chunk, whatever the reader's chunking.
  for await (const chunk of mapElements(c.chunks(), size, size, (input, output) => output.set(input))) {
    head ??= chunk.slice(0, n * size);
    acc.add(chunk);
  }
  const t: Tensor = { ...c, data: head ?? new Uint8Array(0) };
  const comps = dtypeInfo(c.dtype).componentSize || size;
  return { t: c, count: numElements(c.shape) * (size / comps), first: firstValues(t, numericValues(t), n), stats: acc.stats(), histogram: (bins) => acc.histogram(bins) };
}

export async function runShow(reader: TensorReader, name: string, opts: ShowOptions, io: Io): Promise<number> {
  const info = findTensor(reader, name);
  const n = opts.head ?? 10;
  const streamed = reader.readChunked !== undefined && numeric(info) && info.byteLength > CHUNK_BYTES;
  const { t, count, first, stats, histogram: hist } = streamed ? await shownStreamed(reader, info, n) : await shownWhole(reader, info, n);
  if (opts.json) {
    const clean = (v: number) => (Number.isFinite(v) ? v : String(v));
    io.out(JSON.stringify({
      format: reader.format, key: t.key, name: readableName(t), dtype: t.dtype, shape: [...t.shape], bytes: t.byteLength,
      role: t.role ?? 'weight',
      ...(stats ? { stats: Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, clean(v)])) } : {}),
      ...(stats && hist && stats.finite > 0 ? { histogram: hist(opts.bins ?? 16) } : {}),
      head: first,
    }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `${readableName(t)}  (${reader.format}, key ${t.key})`,
    `  dtype  ${t.dtype}`,
    `  shape  [${t.shape.join(', ')}]  (${count} values, ${formatBytes(t.byteLength)})`,
  ];
  if (t.role && t.role !== 'weight') lines.push(`  role   ${t.role}`);
  if (stats) {
    lines.push(
      `  min ${formatNumber(stats.min)}  max ${formatNumber(stats.max)}  mean ${formatNumber(stats.mean)}  std ${formatNumber(stats.std)}`,
      `  zeros ${stats.zeros}  NaN ${stats.nan}  Inf ${stats.inf}`,
    );
    if (stats.finite > 1 && stats.max > stats.min && hist) {
      lines.push('  histogram:', ...renderHistogram(hist(opts.bins ?? 16), 40));
    }
  }
  lines.push(`  first values: ${first.map((v) => (typeof v === 'number' ? formatNumber(v) : JSON.stringify(v))).join(', ')}${count > n ? ', …' : ''}`);
  io.out(lines.join('\n') + '\n');
  return 0;
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
