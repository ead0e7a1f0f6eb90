/**
 * A time budget around libhdf5. h5wasm is synchronous and CPU-bound, so a damaged file that
 * sends libhdf5 into an endless loop (a global-heap free-space object of size 0 makes
 * `H5HG__cache_heap_deserialize` spin; h5py hangs on the same file) cannot be interrupted on
 * the thread that runs it. The metadata walk — open, list groups, datasets and attributes, read
 * the string attributes — therefore runs in a worker thread (`h5-walk-worker.ts`, one kept for
 * the process, idle threads do not keep it alive), which is terminated when one libhdf5 call
 * runs past the budget (the worker counts returns in shared memory: a healthy file with 10^5
 * objects makes steady progress however long its walk, a loop makes none). Tensor data is read later on the calling thread, from a file whose structure the
 * walk has already been through.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, LimitExceededError, CorruptDataError } from '@tfweights/core';
import type { ParsedLayout } from '../legacy-layout.js';
import { receiveError, type SentError } from './worker-error.js';

/** Longest a single libhdf5 call of the walk may run, before the share for the file's size. */
export const H5_BUDGET_BASE_MS = 20_000;
/** Budget added per GiB of file, in proportion (the one-call listing of every object grows with the file). */
export const H5_BUDGET_PER_GIB_MS = 10_000;
/** Environment variable that sets the budget in milliseconds (the `h5BudgetMs` option wins). */
export const H5_BUDGET_ENV = 'TFW_H5_BUDGET_MS';

/** One walk, as sent to the worker. */
export interface WalkRequest {
  readonly id: number;
  readonly path: string;
  readonly name: string;
  readonly config?: unknown;
  readonly metadata?: Record<string, unknown>;
}

export type WalkReply =
  | { readonly id: number; readonly ok: true; readonly layout: ParsedLayout; readonly fileSize: number }
  | { readonly id: number; readonly ok: false; readonly error: SentError };

/** What a walk found. */
export interface WalkResult {
  readonly layout: ParsedLayout;
  /** Size of the file the walk saw (a later reader checks the file is still that size). */
  readonly fileSize: number;
}

/**
 * The budget for walking a file of `fileSize` bytes: `budgetMs` when given, else
 * `$TFW_H5_BUDGET_MS`, else 20 s + 10 s per GiB of file.
 */
export function h5BudgetMs(fileSize: number, budgetMs?: number): number {
  if (budgetMs !== undefined) return checkBudget(budgetMs, 'h5BudgetMs');
  const env = process.env[H5_BUDGET_ENV];
  if (env !== undefined && env !== '') return checkBudget(Number(env), `$${H5_BUDGET_ENV}`);
  return H5_BUDGET_BASE_MS + Math.round((fileSize / 2 ** 30) * H5_BUDGET_PER_GIB_MS);
}

function checkBudget(ms: number, what: string): number {
  if (!(ms > 0)) throw new InvalidArgumentError(`${what} must be a positive number of milliseconds`, { found: String(ms) });
  return ms;
}

interface Pending {
  readonly resolve: (r: WalkResult) => void;
  readonly reject: (e: Error) => void;
}

let worker: { thread: Worker; ready: Promise<void>; progress: Int32Array } | undefined;
const pending = new Map<number, Pending>();
let nextId = 1;
/** Walks run one at a time, so a budget is never spent waiting behind another file. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * The worker thread: the built `h5-walk-worker.js` beside this file, or, when this file runs as
 * TypeScript (tests, `tsx`), the `.ts` through tsx's loader (Node 20 workers ignore `--import`).
 */
function newWorker(progress: SharedArrayBuffer): Worker {
  const workerData = { progress };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./h5-walk-worker.js', import.meta.url), { workerData, stderr: false });
  const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs');
  const entry = new URL('./h5-walk-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, execArgv: ['--conditions=source'], workerData, stderr: false });
}

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function start(): { thread: Worker; ready: Promise<void>; progress: Int32Array } {
  const shared = new SharedArrayBuffer(4);
  const thread = newWorker(shared);
  thread.unref();
  const ready = new Promise<void>((resolve, reject) => {
    thread.on('message', (msg: WalkReply | { ready: boolean; error?: SentError }) => {
      if ('ready' in msg) {
        if (msg.ready) resolve();
        else reject(receiveError(msg.error ?? { message: 'h5wasm failed to load' }));
        return;
      }
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (pending.size === 0) thread.unref();
      if (!p) return;
      if (msg.ok) p.resolve({ layout: msg.layout, fileSize: msg.fileSize });
      else p.reject(receiveError(msg.error));
    });
    const gone = (err: Error): void => {
      if (worker?.thread === thread) worker = undefined;
      reject(err);
      failAll(err);
    };
    thread.on('error', (err) => gone(new CorruptDataError(`the HDF5 metadata walk failed: ${err.message}`, { cause: err })));
    thread.on('exit', (code) => gone(new CorruptDataError(`the HDF5 metadata walk stopped (worker exit code ${code})`)));
  });
  ready.catch(() => undefined);
  return { thread, ready, progress: new Int32Array(shared) };
}

/**
 * List the Keras layout of the HDF5 file at `path` (a host path) in the worker, within
 * `budgetMs`. Past it the worker is terminated (the next walk gets a new one) and a
 * LimitExceededError names the file.
 */
export function walkKerasH5(path: string, opts: { name: string; budgetMs: number; config?: unknown; metadata?: Record<string, unknown> }): Promise<WalkResult> {
  const run = queue.then(() => walkNow(path, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function walkNow(path: string, opts: { name: string; budgetMs: number; config?: unknown; metadata?: Record<string, unknown> }): Promise<WalkResult> {
  worker ??= start();
  const { thread, ready, progress } = worker;
  thread.ref();
  try {
    await ready;
  } catch (err) {
    thread.unref();
    throw err;
  }
  const id = nextId++;
  const req: WalkRequest = { id, path, name: opts.name, ...(opts.config !== undefined ? { config: opts.config } : {}), ...(opts.metadata ? { metadata: opts.metadata } : {}) };
  return new Promise<WalkResult>((resolve, reject) => {
    // Watch the worker's call counter: standing still for the budget means a call that does not return.
    let seen = Atomics.load(progress, 0);
    let since = Date.now();
    const timer = setInterval(() => {
      const now = Atomics.load(progress, 0);
      if (now !== seen) {
        seen = now;
        since = Date.now();
        return;
      }
      if (Date.now() - since < opts.budgetMs) return;
      clearInterval(timer);
      pending.delete(id);
      if (worker?.thread === thread) worker = undefined;
      void thread.terminate();
      reject(new LimitExceededError(
        `libhdf5 ran for ${seconds(opts.budgetMs)} s inside one call reading the HDF5 metadata and was stopped (most likely a damaged file that sends it into a loop; set $${H5_BUDGET_ENV} or the h5BudgetMs option to allow more)`,
        { file: opts.name },
      ));
    }, Math.min(250, opts.budgetMs / 4));
    const done = <T>(f: (v: T) => void) => (v: T): void => {
      clearInterval(timer);
      f(v);
    };
    pending.set(id, { resolve: done(resolve), reject: done(reject) });
    thread.ref();
    thread.postMessage(req);
  });
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
