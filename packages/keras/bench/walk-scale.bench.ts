/**
 * The HDF5 metadata walk at scale, and what the budget's worker costs. Prints, for files made
 * by h5py (test/python/deep_and_wide.py): time to list (openKeras + list()) 100 nested Keras 3
 * sub-layers (203 group levels), 2,000 nested groups (refused: MAX_H5_DEPTH), 10^5 variables of
 * one layer, 10^5 one-variable layers, and the last inside a `.keras`; then, in fresh processes
 * running the built dist, `list()` of a small `.h5` through openKeras (walk in the worker) against
 * KerasReader.open on the calling thread (no worker), wall and CPU time.
 * Needs Debian's python3 with h5py and a built package (pnpm build). Run: pnpm bench:walk
 * (TFW_BENCH_TENSORS=20000 for a quicker pass).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { makeTensor, MemorySink, ZipWriter } from '@tfweights/core';
import { openKeras, writeKerasH5 } from '../src/node/index.js';

const N = Number(process.env.TFW_BENCH_TENSORS ?? 100_000);
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const GEN = here('../test/python/deep_and_wide.py');
const dir = mkdtempSync(join(tmpdir(), 'tfw-walk-bench-'));

function make(kind: string, n: number): string {
  const out = join(dir, `${kind}-${n}.weights.h5`);
  const t = performance.now();
  execFileSync('/usr/bin/python3', [GEN, kind, String(n), out]);
  console.log(`  made ${kind} ${n}: ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s (h5py)`);
  return out;
}

async function timeList(label: string, path: string): Promise<void> {
  const t = performance.now();
  try {
    const r = await openKeras(path);
    const n = r.list().length;
    await r.close();
    console.log(`${label}: ${n} tensors listed in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  } catch (err) {
    console.log(`${label}: ${(err as { code?: string }).code ?? 'error'} after ${((performance.now() - t) / 1000).toFixed(2)} s: ${(err as Error).message.slice(-120)}`);
  }
}

async function asKeras(h5: string): Promise<string> {
  const sink = new MemorySink('x.keras');
  const zip = new ZipWriter(sink);
  await zip.addBytes('metadata.json', new TextEncoder().encode('{"keras_version": "3.15.0"}'), { compress: false });
  await zip.addBytes('config.json', new TextEncoder().encode('{"class_name": "Sequential", "config": {"name": "s", "layers": []}}'), { compress: false });
  await zip.addBytes('model.weights.h5', readFileSync(h5), { compress: false });
  await zip.finish();
  const out = h5.replace(/\.weights\.h5$/, '.keras');
  await writeFile(out, sink.bytes());
  return out;
}

/** Mean wall and CPU ms of `runs` fresh processes listing `path` with `code` (dist build). */
function perProcess(code: string, path: string, runs = 5): string {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code, path], { encoding: 'utf8' });
    const { wall, cpu } = JSON.parse(out.trim().split('\n').pop()!) as { wall: number; cpu: number };
    walls.push(wall);
    cpus.push(cpu);
  }
  const mean = (xs: number[]): number => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  return `${mean(walls)} ms wall, ${mean(cpus)} ms CPU (process, all threads; mean of ${runs})`;
}

try {
  console.log(`HDF5 walk at scale (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}; timings on a shared machine are noisy)`);
  await timeList('100 nested sub-layers (203 levels)', make('nested', 100));
  await timeList('2,000 nested groups', make('deep', 2000));
  await timeList(`${N} variables of one layer`, make('vars', N));
  const layers = make('layers', N);
  await timeList(`${N} one-variable layers (.weights.h5)`, layers);
  await timeList(`${N} one-variable layers (.keras)`, await asKeras(layers));

  const dist = here('../dist/node/index.js');
  if (!existsSync(dist)) console.log('(no dist build: pnpm build first for the worker cost)');
  else {
    const small = join(dir, 'small.h5');
    const t = (k: string, shape: number[]) => makeTensor(k, 'float32', shape, new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)));
    await writeKerasH5(small, { layers: [{ name: 'dense', weights: [{ name: 'kernel', tensor: t('k', [64, 32]) }, { name: 'bias', tensor: t('b', [32]) }] }] });
    const url = JSON.stringify(new URL(`file://${dist}`).href);
    const root = JSON.stringify(new URL(`file://${here('../dist/index.js')}`).href);
    const report = 'console.log(JSON.stringify({ wall: performance.now() - t0, cpu: (process.cpuUsage().user + process.cpuUsage().system) / 1000 }));';
    const viaWorker = `const t0 = performance.now(); const { openKeras } = await import(${url}); const r = await openKeras(process.argv[1]); r.list(); await r.close(); ${report}`;
    const onThread = `const t0 = performance.now(); const { nodeH5Api } = await import(${url}); const { KerasReader } = await import(${root}); const r = KerasReader.open(await nodeH5Api(), process.argv[1]); r.list(); await r.close(); ${report}`;
    console.log(`small .h5 list, walk in the worker: ${perProcess(viaWorker, small)}`);
    console.log(`small .h5 list, on the calling thread: ${perProcess(onThread, small)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
