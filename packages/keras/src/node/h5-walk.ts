/**
 * A time budget around libhdf5, and every libhdf5 read of an untrusted file off the calling
 * thread. h5wasm is synchronous and CPU-bound, so a damaged file that sends libhdf5 into an
 * endless loop (a global-heap free-space object of size 0 makes
 * `H5HG__cache_heap_deserialize` spin; h5py hangs on the same file) cannot be interrupted on
 * the thread that runs it. Opening (the metadata walk: groups, datasets, attributes, string
 * attributes), data reads and close therefore run in a worker thread (`h5-walk-worker.ts`,
 * kept for the process, idle threads do not keep it alive) that holds the open files by
 * handle, and is terminated when one libhdf5 call runs past the budget (the worker counts
 * returns in shared memory: a healthy file with 10^5 objects makes steady progress however
 * long its walk, a loop makes none).
 *
 * A worker whose libhdf5 leaked a file on a failure path (or whose module aborted) reports
 * itself tainted: the next open starts a fresh worker, and the tainted one is terminated once
 * its last open file is closed (a fresh wasm instance cannot be had on one thread without
 * keeping the old one in memory: hdf5_hl.js binds its module when it is imported).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, LimitExceededError, CorruptDataError } from '@tfweights/core';
import { datasetBytes, slabsOf, type H5DatasetInfo, type H5Slab } from '../h5-file.js';
import type { KerasData } from '../h5-data.js';
import type { ParsedLayout } from '../legacy-layout.js';
import { receiveError, type SentError } from './worker-error.js';
import type { H5Reply, H5Request, H5Value, OpenedFile } from './h5-worker-protocol.js';

/** Longest a single libhdf5 call may run, before the share for the file's size. */
export const H5_BUDGET_BASE_MS = 20_000;
/** Budget added per GiB of file, in proportion (the one-call listing of every object grows with the file). */
export const H5_BUDGET_PER_GIB_MS = 10_000;
/** Environment variable that sets the budget in milliseconds (the `h5BudgetMs` option wins). */
export const H5_BUDGET_ENV = 'TFW_H5_BUDGET_MS';

/** What opening a file in the worker gives. */
export interface WorkerFile {
  readonly layout: ParsedLayout;
  /** Size of the file the walk saw. */
  readonly fileSize: number;
  /** Its data, read in the worker under the same budget. */
  readonly data: KerasData;
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

/** A request in flight: settled by the reply, a budget overrun or the thread's end. */
interface Pending {
  readonly resolve: (v: H5Value) => void;
  readonly reject: (e: Error) => void;
}

/** One worker thread and what the calling thread knows of it. */
class H5Worker {
  readonly thread: Worker;
  readonly ready: Promise<void>;
  readonly progress: Int32Array;
  readonly pending = new Map<number, Pending>();
  /** Requests run one at a time, so a budget is never spent waiting behind another file. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Requests queued or in flight (the thread is kept alive only while there are some). */
  private busy = 0;
  /** Files open in the worker. */
  handles = 0;
  tainted = false;
  /** Ended (terminated, crashed or retired): every later request fails. */
  gone: Error | undefined;

  constructor() {
    const shared = new SharedArrayBuffer(4);
    this.progress = new Int32Array(shared);
    this.thread = newWorker(shared);
    this.thread.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      this.thread.on('message', (msg: H5Reply | { ready: boolean; error?: SentError }) => {
        if ('ready' in msg) {
          if (msg.ready) resolve();
          else reject(receiveError(msg.error ?? { message: 'h5wasm failed to load' }));
          return;
        }
        if (msg.tainted) this.taint();
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (!p) return;
        if (msg.ok) p.resolve(msg.value);
        else p.reject(receiveError(msg.error));
      });
      const end = (err: Error): void => {
        this.end(err);
        reject(err);
      };
      this.thread.on('error', (err) => end(new CorruptDataError(`the HDF5 worker failed: ${err.message}`, { cause: err })));
      this.thread.on('exit', (code) => end(new CorruptDataError(`the HDF5 worker stopped (exit code ${code})`)));
    });
    this.ready.catch(() => undefined);
  }

  /** Take no new files; end once the open ones are closed. */
  taint(): void {
    this.tainted = true;
    if (current === this) current = undefined;
  }

  end(err: Error): void {
    if (current === this) current = undefined;
    this.gone ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Send one request (after the ones before it), watched by `budget`. */
  request(req: DistributiveOmit<H5Request, 'id'>, budget: Budget, transfer: ArrayBuffer[] = []): Promise<H5Value> {
    this.busy++;
    this.thread.ref();
    const run = this.queue.then(() => this.send(req, budget, transfer));
    this.queue = run.catch(() => undefined);
    return run.finally(() => {
      if (--this.busy > 0) return;
      this.thread.unref();
      this.retireIfDone();
    });
  }

  /** One open file fewer (closed, or its open failed). */
  release(): void {
    this.handles--;
    this.retireIfDone();
  }

  /** A tainted worker ends when nothing is open or in flight in it. */
  private retireIfDone(): void {
    if (!this.tainted || this.handles > 0 || this.busy > 0 || this.gone) return;
    this.end(new CorruptDataError('the HDF5 worker was retired'));
    void this.thread.terminate();
  }

  private async send(req: DistributiveOmit<H5Request, 'id'>, budget: Budget, transfer: ArrayBuffer[]): Promise<H5Value> {
    if (this.gone) throw stopped(budget);
    await this.ready;
    if (this.gone) throw stopped(budget);
    const id = nextId++;
    const { progress, thread } = this;
    return new Promise<H5Value>((resolve, reject) => {
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
        if (Date.now() - since < budget.ms) return;
        clearInterval(timer);
        this.pending.delete(id);
        this.end(stopped(budget));
        void thread.terminate();
        reject(new LimitExceededError(
          `libhdf5 ran for ${seconds(budget.ms)} s inside one call ${budget.doing} and was stopped (most likely a damaged file that sends it into a loop; set $${H5_BUDGET_ENV} or the h5BudgetMs option to allow more)`,
          { file: budget.file, ...(budget.entry !== undefined ? { entry: budget.entry } : {}) },
        ));
      }, Math.min(250, budget.ms / 4));
      const done = <T>(f: (v: T) => void) => (v: T): void => {
        clearInterval(timer);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject) });
      thread.postMessage({ ...req, id }, transfer);
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The budget of one request and what its error says. */
interface Budget {
  readonly ms: number;
  readonly file: string;
  readonly entry?: string;
  /** "reading the HDF5 metadata", "reading dataset …" */
  readonly doing: string;
}

/** A file whose worker ended under it (another call ran past its budget, or the thread crashed). */
function stopped(b: Budget): CorruptDataError {
  return new CorruptDataError('the HDF5 worker reading this file was stopped (a libhdf5 call ran past its budget or the worker crashed)', {
    file: b.file, ...(b.entry !== undefined ? { entry: b.entry } : {}),
  });
}

/** The worker new files go to (a tainted or ended one is dropped from here). */
let current: H5Worker | undefined;
let nextId = 1;

/**
 * Open the HDF5 file at `path` (a host path) in the worker: its Keras layout is listed there
 * within `budgetMs`, and it stays open there for the data reads. Past the budget the worker is
 * terminated (the next file gets a new one) and a LimitExceededError names the file.
 */
export async function openInWorker(path: string, opts: { name: string; budgetMs: number; config?: unknown; metadata?: Record<string, unknown> }): Promise<WorkerFile> {
  const w = (current ??= new H5Worker());
  const budget: Budget = { ms: opts.budgetMs, file: opts.name, doing: 'reading the HDF5 metadata' };
  const req = { op: 'open' as const, path, name: opts.name, ...(opts.config !== undefined ? { config: opts.config } : {}), ...(opts.metadata ? { metadata: opts.metadata } : {}) };
  // Counted before the reply, so a taint reported with it does not retire the worker under the new file.
  w.handles++;
  let opened: OpenedFile;
  try {
    opened = (await w.request(req, budget)) as OpenedFile;
  } catch (err) {
    w.release();
    throw err;
  }
  return { layout: opened.layout, fileSize: opened.fileSize, data: new WorkerData(w, opened.handle, opts.name, opts.budgetMs) };
}

/** A file open in a worker, as a reader's data source. */
class WorkerData implements KerasData {
  private closed = false;

  constructor(private readonly w: H5Worker, private readonly handle: number, private readonly name: string, private readonly budgetMs: number) {}

  private budget(entry: string): Budget {
    return { ms: this.budgetMs, file: this.name, entry, doing: `reading dataset '${entry}'` };
  }

  private check(): void {
    if (this.closed) throw new CorruptDataError('read after close', { file: this.name });
  }

  /** One slab into `reuse` (transferred to the worker and back) when it is large enough. */
  private async slab(ds: H5DatasetInfo, slab: H5Slab, reuse?: ArrayBuffer): Promise<Uint8Array> {
    this.check();
    const buffer = reuse && reuse.byteLength >= slab.bytes ? reuse : undefined;
    const v = (await this.w.request({ op: 'read', handle: this.handle, ds, slab, ...(buffer ? { buffer } : {}) }, this.budget(ds.path), buffer ? [buffer] : [])) as {
      buffer: ArrayBuffer; byteLength: number;
    };
    return new Uint8Array(v.buffer, 0, v.byteLength);
  }

  async readRaw(ds: H5DatasetInfo): Promise<Uint8Array> {
    this.check();
    const total = datasetBytes(ds, this.name);
    const slabs = [...slabsOf(ds, total)];
    if (slabs.length === 1) return this.slab(ds, slabs[0]!);
    const out = new Uint8Array(total);
    let last: Uint8Array | undefined;
    for (const s of slabs) {
      last = await this.slab(ds, s, last?.buffer as ArrayBuffer | undefined);
      out.set(last, s.at);
    }
    return out;
  }

  async *rawChunks(ds: H5DatasetInfo): AsyncIterable<Uint8Array> {
    this.check();
    let last: Uint8Array | undefined;
    // Each chunk's buffer goes back to the worker for the next one (the caller is done with it by then).
    for (const s of slabsOf(ds, datasetBytes(ds, this.name))) {
      last = await this.slab(ds, s, last?.buffer as ArrayBuffer | undefined);
      yield last;
    }
  }

  async readStrings(path: string): Promise<Uint8Array[]> {
    this.check();
    const v = (await this.w.request({ op: 'strings', handle: this.handle, path }, this.budget(path))) as { strings: Uint8Array[] };
    return v.strings;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.w.gone) await this.w.request({ op: 'close', handle: this.handle }, { ms: this.budgetMs, file: this.name, doing: 'closing the file' });
    } catch {
      // The worker ended with the file in it (a budget overrun): nothing is left open.
    } finally {
      this.w.release();
    }
  }
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
