/**
 * Many-tensors benchmark: a TF checkpoint of TFW_BENCH_MANY (default 100,000) float32[4]
 * tensors is converted with the real CLI to every writable format but Keras HDF5 (checkpoint,
 * .npz, .safetensors, a tfjs folder, an npy folder) and each output back to a checkpoint; then
 * `ls` of every output and `diff` of every output against the input. Each step prints its
 * wall seconds and the child's peak RSS; a step over TFW_BENCH_MANY_SECONDS (default 60) prints
 * MISSED (per-tensor costs used to be 40–150 s here, and an npy folder hit EMFILE). Timings on
 * a shared machine are noisy.
 * Run: pnpm --filter @tfweights/converter bench   (TFW_BENCH_DIR picks the scratch folder).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChunkedTensor } from '@tfweights/core';
import { writeCheckpoint } from '@tfweights/checkpoint/node';
import { CLI, MiB, timed } from './measure.js';

const COUNT = Number(process.env.TFW_BENCH_MANY ?? 100_000);
const LIMIT_S = Number(process.env.TFW_BENCH_MANY_SECONDS ?? 60);
const work = mkdtempSync(join(process.env.TFW_BENCH_DIR ?? tmpdir(), 'tfw-many-'));

function tiny(i: number): ChunkedTensor {
  const data = new Uint8Array(new Float32Array([i, i + 0.5, -i, 1]).buffer);
  const key = `block_${String(i % 1000).padStart(3, '0')}/layer_${String(i).padStart(6, '0')}/kernel`;
  return { key, name: key, dtype: 'float32', shape: [4], byteLength: 16, chunks: async function* () { yield data; } };
}

let missed = 0;
/** Run the CLI with `args`, print seconds and peak RSS. */
function step(label: string, args: readonly string[]): void {
  const r = timed([process.execPath, ...CLI, ...args]);
  const failed = r.status !== 0;
  const ok = !failed && r.seconds <= LIMIT_S;
  if (!ok) missed++;
  const why = failed ? `FAILED (exit ${r.status}): ${r.stderr.split('\n').find((l) => l.startsWith('tfweights')) ?? ''}` : ok ? '' : `MISSED (≤ ${LIMIT_S} s)`;
  console.log(`${label.padEnd(34)} ${r.seconds.toFixed(1).padStart(7)} s  peak RSS ${(r.rss / MiB).toFixed(0)} MiB  ${why}`);
}

try {
  const input = join(work, 'in.ckpt');
  const t0 = process.hrtime.bigint();
  await writeCheckpoint(input, Array.from({ length: COUNT }, (_, i) => tiny(i)));
  console.log(`generated ${COUNT} float32[4] tensors in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s (in-process writeCheckpoint)`);
  const outputs: [string, string][] = [['checkpoint', 'out.ckpt'], ['npz', 'out.npz'], ['safetensors', 'out.safetensors'], ['tfjs', 'out-tfjs'], ['npy', 'out-npy']];
  for (const [to, name] of outputs) step(`convert checkpoint → ${to}`, ['convert', input, join(work, name), '--to', to]);
  for (const [to, name] of outputs) {
    const from = to === 'tfjs' ? join(work, name, 'model.json') : join(work, name);
    step(`convert ${to} → checkpoint`, ['convert', from, join(work, `back-${to}.ckpt`), '--to', 'checkpoint']);
    step(`ls ${to}`, ['ls', from]);
    step(`diff checkpoint ${to}`, ['diff', input, from]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (missed > 0) {
  console.log(`${missed} step(s) failed or missed ${LIMIT_S} s`);
  process.exitCode = 1;
}
