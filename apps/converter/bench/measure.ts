/**
 * Running the real CLI (or any command) in a child process under GNU time: wall seconds and
 * the child's peak RSS, synchronously or, when the benchmark must act while it runs (kill a
 * server mid-upload), asynchronously.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
/** The local memory bound of a conversion: peak RSS of the CLI process. */
export const RSS_LIMIT = 256 * MiB;
/** apps/converter. */
export const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const BUILT = join(appDir, 'dist/bin.js');
/** Node arguments that run the CLI: the build, or the sources when not built (or TFW_BENCH_SOURCE is set). */
export const CLI = existsSync(BUILT) && process.env.TFW_BENCH_SOURCE === undefined
  ? [BUILT]
  : ['--conditions=source', '--import', 'tsx', join(appDir, 'src/bin.ts')];

export interface Run { seconds: number; rss: number; status: number | null; stderr: string }

/** Wall seconds of `fn`. */
export function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const peakRss = (stderr: string) => {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return m ? Number(m[1]) * 1024 : NaN;
};

/** Run a command under /usr/bin/time -v: wall seconds and the child's peak RSS. */
export function timed(cmd: readonly string[], env: NodeJS.ProcessEnv = process.env): Run {
  let r!: ReturnType<typeof spawnSync>;
  const s = seconds(() => {
    r = spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd: appDir, encoding: 'utf8', maxBuffer: 64 * MiB, env });
  });
  const stderr = String(r.stderr ?? '');
  return { seconds: s, rss: peakRss(stderr), status: r.status, stderr };
}

/** {@link timed} without blocking the event loop. */
export function timedAsync(cmd: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const t0 = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-v', ...cmd], { cwd: appDir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-64 * 1024);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, rss: peakRss(stderr), status, stderr }));
  });
}

/** The first line of a failed run that says why. */
export const failure = (r: Run) => r.stderr.split('\n').find((l) => l.startsWith('tfweights:') || /Error/.test(l)) ?? r.stderr.slice(-300);
export const mib = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
export const rate = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(0).padStart(5)} MiB/s`;
