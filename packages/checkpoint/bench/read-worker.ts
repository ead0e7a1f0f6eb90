/**
 * Child process of checkpoint.bench.ts: opens a bundle and measures one thing, so that its
 * peak RSS (VmHWM) belongs to that measurement alone. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openCheckpoint } from '@tfweights/checkpoint/node';

function rssKiB(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

const [mode, prefix, key] = process.argv.slice(2) as [string, string, string | undefined];
const baseline = rssKiB('VmRSS');
const t0 = performance.now();
const r = await openCheckpoint(prefix);
const entries = r.list().length;
const listMs = performance.now() - t0;
const out: Record<string, number> = { listMs, entries, baselineRssKiB: baseline };
if (mode === 'one') {
  // First read (opens the shard), then the median of 15 reads of tensors spread over the bundle.
  const small = r.list().filter((i) => i.byteLength === 1024 * 1024);
  const k = key ?? small[Math.floor(small.length / 2)]!.key;
  let t1 = performance.now();
  await r.read(k);
  out.firstReadMs = performance.now() - t1;
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const info = small[Math.floor((i * small.length) / 15)]!;
    t1 = performance.now();
    await r.read(info.key);
    times.push(performance.now() - t1);
  }
  out.oneReadMs = times.sort((a, b) => a - b)[7]!;
} else {
  let bytes = 0;
  let largest = 0;
  const t1 = performance.now();
  for await (const t of r.tensors({ verifyChecksums: true })) {
    bytes += t.byteLength;
    largest = Math.max(largest, t.byteLength);
  }
  out.fullReadMs = performance.now() - t1;
  out.bytes = bytes;
  out.largest = largest;
}
await r.close();
out.peakRssKiB = rssKiB('VmHWM');
console.log(JSON.stringify(out));
