/**
 * Start-up benchmark: CPU time (user + sys, from /usr/bin/time) of the built `tfweights` for
 * `--help`, `ls` of a small .npy, a small checkpoint and a small .h5, as a ratio to bare
 * `node -e 0` measured in turn with it (A B A B …, median of the pairwise ratios, so drift of
 * a shared machine cancels out). Targets: --help / .npy / checkpoint ≤ 2 × node; the .h5 pays
 * h5wasm once: ≤ (ls .npy) + (importing h5wasm alone) + 25 %; the cost of starting a bare worker
 * thread (the HDF5 walk runs in one) and of the bundle's h5wasm copy are printed beside it.
 * Run: pnpm --filter @tfweights/converter bench (TFW_BENCH_STARTUP_RUNS samples, default 7, each
 * the mean of TFW_BENCH_STARTUP_BATCH runs, default 5).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTensor } from '@tfweights/core';
import { npyBytes } from '@tfweights/npy';
import { defaultRegistry } from 'tfweights/cli';

const RUNS = Number(process.env.TFW_BENCH_STARTUP_RUNS ?? 7);
const BATCH = Number(process.env.TFW_BENCH_STARTUP_BATCH ?? 5);
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(appDir, 'dist/bin.js');
const work = mkdtempSync(join(process.env.TFW_BENCH_DIR ?? tmpdir(), 'tfw-startup-'));

/**
 * CPU seconds (user + sys) of one run of `cmd`: GNU time over BATCH runs in a row, divided, since
 * it prints hundredths of a second and one run of node is a few of them.
 */
function cpuOf(cmd: readonly string[], cwd = appDir): number {
  const loop = 'i=0; while [ $i -lt $0 ]; do "$@" >/dev/null || exit $?; i=$((i+1)); done';
  const r = spawnSync('/usr/bin/time', ['-f', 'TFW_CPU %U %S', 'sh', '-c', loop, String(BATCH), ...cmd], { cwd, encoding: 'utf8', env: cleanEnv });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 400)}`);
  const m = /TFW_CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`no time output for ${cmd.join(' ')}`);
  return (Number(m[1]) + Number(m[2])) / BATCH;
}

/**
 * The environment every measured process runs in: without NODE_EXTRA_CA_CERTS (node parses the
 * whole bundle at start, about 50 ms of CPU, which would hide our own start-up inside node's;
 * this machine sets it, turbo's strict env drops it) and NODE_OPTIONS.
 */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS' && k !== 'NODE_OPTIONS'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median CPU of A and of B, and the median of the ratios A/B, runs taken in turn after one warm-up each. */
function versus(a: readonly string[], b: readonly string[], cwdA = appDir): { a: number; b: number; ratio: number } {
  cpuOf(a, cwdA);
  cpuOf(b);
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(cpuOf(a, cwdA));
    bs.push(cpuOf(b));
  }
  return { a: median(as), b: median(bs), ratio: median(as.map((x, i) => x / Math.max(bs[i]!, 1e-3))) };
}

async function write(path: string, to: string): Promise<void> {
  const registry = defaultRegistry();
  const adapter = registry.get(to)!;
  const t = makeTensor('dense/kernel', 'float32', [4, 3], new Uint8Array(48), { layer: 'dense' });
  const w = await adapter.create!(path, { overwrite: true, plan: [t], extra: { style: 'tf1' } });
  await w.write(t);
  await w.finish();
}

try {
  statSync(BIN);
} catch {
  console.log(`start-up: SKIPPED (no ${BIN}; run pnpm build first — start-up is measured on what users run)`);
  process.exit(0);
}

try {
  const npy = join(work, 'tiny.npy');
  writeFileSync(npy, npyBytes(makeTensor('tiny', 'float32', [10], new Uint8Array(40))));
  const ckpt = join(work, 'ckpt');
  await write(ckpt, 'checkpoint');
  const h5 = join(work, 'tiny.h5');
  await write(h5, 'keras-h5');
  const node0 = [process.execPath, '-e', '0'];
  const cli = (...args: string[]) => [process.execPath, BIN, ...args];
  const rows: string[] = [`start-up CPU (user+sys) per run, median of ${RUNS} samples of ${BATCH} runs each, in turn with node -e 0:`];
  let ok = true;
  const row = (label: string, r: { a: number; b: number; ratio: number }, target: number | undefined) => {
    const met = target === undefined || r.ratio <= target;
    ok &&= met;
    rows.push(`  ${label.padEnd(28)} ${r.a.toFixed(3)} s  node -e 0 ${r.b.toFixed(3)} s  ratio ${r.ratio.toFixed(2)}${target === undefined ? '' : ` (target ≤ ${target}: ${met ? 'met' : 'MISSED'})`}`);
  };
  row('tfweights --help', versus(cli('--help'), node0), 2);
  const lsNpy = versus(cli('ls', npy), node0);
  row('tfweights ls tiny.npy', lsNpy, 2);
  row('tfweights ls ckpt (checkpoint)', versus(cli('ls', ckpt), node0), 2);
  const lsH5 = versus(cli('ls', h5), node0);
  row('tfweights ls tiny.h5', lsH5, undefined);
  const loadH5wasm = (entry: string) => [process.execPath, '--input-type=module', '-e', `const m = (await import(${JSON.stringify(entry)})).default; await m.ready;`];
  const h5wasmAlone = versus(loadH5wasm('h5wasm/node'), node0, join(appDir, '../../packages/keras'));
  const over = (r: { a: number; b: number }) => r.a - r.b;
  const budget = lsNpy.a + over(h5wasmAlone) * 1.25;
  const h5ok = lsH5.a <= budget;
  ok &&= h5ok;
  rows.push(`  h5wasm alone (import + ready) ${over(h5wasmAlone).toFixed(3)} s over node; ls .h5 ${lsH5.a.toFixed(3)} s vs ls .npy + h5wasm × 1.25 = ${budget.toFixed(3)} s (${h5ok ? 'met' : 'MISSED'}: h5wasm paid once)`);
  // What the CLI loads instead: the bundle's copy of h5wasm, its wasm in a file of its own
  // (scripts/h5wasm-copy.mjs), and the worker thread the HDF5 walk runs in, by itself (no
  // h5wasm, no code), so the rest of `ls .h5` beyond `ls .npy` can be told apart.
  const copy = versus(loadH5wasm(pathToFileURL(join(appDir, 'dist/h5wasm/hdf5_hl.js')).href), node0);
  const bareWorker = versus([process.execPath, '--input-type=module', '-e', "import { Worker } from 'node:worker_threads'; await new Promise((r) => new Worker('', { eval: true }).once('exit', r));"], node0);
  const rest = lsH5.a - lsNpy.a - over(copy) - over(bareWorker);
  rows.push(`  the bundle's h5wasm copy ${over(copy).toFixed(3)} s over node; a bare worker thread ${over(bareWorker).toFixed(3)} s; ls .h5 − ls .npy − both = ${rest.toFixed(3)} s (Keras code, the walk)`);
  console.log(rows.join('\n'));
  if (!ok) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
