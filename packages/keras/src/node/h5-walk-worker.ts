/**
 * The worker_threads side of `h5-walk.ts`: its own confined h5wasm module runs every libhdf5
 * call on an untrusted file — open and the metadata walk (groups, datasets, attributes, string
 * attributes), then data reads slab by slab, string datasets, and close — keeping open files
 * by handle. Every h5wasm call that returns bumps a shared counter, and the calling thread
 * terminates this thread when the counter stands still for the budget (one libhdf5 call that
 * does not return).
 *
 * When libhdf5 fails mid-call on a damaged file, h5wasm's throwing error handler throws
 * through the wasm frames: the object ids that call opened are never closed, so H5Fclose
 * leaves the file open (and its host descriptor). After a close (or a failed open) the streams
 * opened for that file that are still open are closed here. That alone would not do: libhdf5
 * keeps the leaked file's record by (device, inode) and would take the next file with that
 * inode for the dead one, so this module gives every open an inode number of its own
 * (`isolateFileIdentities`). Each leaked record still holds some wasm memory: after
 * {@link LEAK_LIMIT} leaks (or a heap past {@link HEAP_LIMIT}) the worker reports itself
 * tainted, takes no new files, and is ended once its open files are closed. A wasm abort
 * leaves its module unusable: the next file gets a fresh module in this thread (the dead one
 * stays in the ESM cache: hdf5_hl.js binds its module when imported), and after
 * {@link ABORT_LIMIT} of them the worker retires the same way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CorruptDataError } from '@tfweights/core';
import { H5Reader } from '../h5-file.js';
import { parseKerasLayout } from '../keras-reader.js';
import type { H5Api } from '../h5-api.js';
import { closeLeftoverStreams, fileStreams, isBrokenH5Api, isolateFileIdentities, nodeH5Api } from './h5wasm-node.js';
import { sendError } from './worker-error.js';
import type { H5Reply, H5Request, H5Value } from './h5-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('h5-walk-worker runs in a worker thread');
/** Bumped after every h5wasm call returns: the main thread watches it for a stuck call. */
const progress = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);
const instrumented = new WeakSet<object>();

interface Open {
  readonly h5: H5Reader;
  readonly api: H5Api;
  readonly path: string;
  /** Host-file streams libhdf5 opened for this file (closed with it, unless it leaks them). */
  readonly streams: readonly object[];
}

/** Files libhdf5 may leak (each keeps its record and some heap) before the worker retires. */
export const LEAK_LIMIT = 200;
/** wasm heap size past which the worker retires (the heap never shrinks). */
export const HEAP_LIMIT = 1024 * 1024 * 1024;
/** Aborted modules a worker keeps in memory (each holds its heap) before it retires. */
export const ABORT_LIMIT = 8;

const files = new Map<number, Open>();
let nextHandle = 1;
let tainted = false;
let leaks = 0;
const aborted = new Set<H5Api>();

/** Count every return from the module's functions (h5wasm's own classes call the same object). */
function instrument(module: object): void {
  if (instrumented.has(module)) return;
  instrumented.add(module);
  const m = module as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    const fn = m[key];
    if (typeof fn !== 'function' || key.startsWith('_') || /^[A-Z]/.test(key)) continue;
    m[key] = function counted(this: unknown, ...args: unknown[]): unknown {
      try {
        return (fn as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        Atomics.add(progress, 0, 1);
      }
    };
  }
}

/** After a file was closed (or failed to open): close what libhdf5 left open for it, and count the leak. */
function sweep(api: H5Api, streams: readonly object[]): void {
  leaks += closeLeftoverStreams(api, streams);
  if (isBrokenH5Api(api)) aborted.add(api);
  // An aborted module with no file left in it: release every descriptor it still holds.
  if (isBrokenH5Api(api) && ![...files.values()].some((f) => f.api === api)) closeLeftoverStreams(api, fileStreams(api));
  noteAborts();
  if (leaks >= LEAK_LIMIT || api.module.HEAPU8.byteLength > HEAP_LIMIT) tainted = true;
}

/** The streams opened since `before` was taken. */
function newStreams(api: H5Api, before: readonly object[]): object[] {
  const old = new Set(before);
  return fileStreams(api).filter((s) => !old.has(s));
}

function fileOf(handle: number, name?: string): Open {
  const f = files.get(handle);
  if (!f) throw new CorruptDataError('read after close', { ...(name ? { file: name } : {}) });
  return f;
}

/** Data reads check the file is the one walked: a file that changed size is not read. */
function checkUnchanged(f: Open, entry: string): void {
  const size = (f.api.module.FS as unknown as { stat(p: string): { size: number } }).stat(f.path).size;
  if (size !== f.h5.fileSize) {
    throw new CorruptDataError('the file changed after it was opened', { file: f.h5.name, entry, expected: `${f.h5.fileSize} bytes`, found: `${size} bytes` });
  }
}

async function open(req: Extract<H5Request, { op: 'open' }>): Promise<H5Value> {
  if (tainted) throw new CorruptDataError('this libhdf5 worker is retired', { file: req.name });
  const api = await nodeH5Api();
  instrument(api.module);
  isolateFileIdentities(api);
  const before = fileStreams(api);
  let h5: H5Reader;
  try {
    h5 = H5Reader.open(api, req.path, req.name);
  } catch (err) {
    sweep(api, newStreams(api, before));
    throw err;
  }
  // The file's own streams (the walk may open more only to be refused: those are not its).
  const streams = newStreams(api, before);
  try {
    const layout = parseKerasLayout(h5, { ...(req.config !== undefined ? { config: req.config } : {}), ...(req.metadata ? { metadata: req.metadata } : {}) });
    const handle = nextHandle++;
    files.set(handle, { h5, api, path: req.path, streams });
    return { handle, layout, fileSize: h5.fileSize };
  } catch (err) {
    h5.close();
    sweep(api, streams);
    throw err;
  }
}

function close(handle: number): H5Value {
  const f = files.get(handle);
  if (!f) return { closed: true };
  files.delete(handle);
  f.h5.close();
  sweep(f.api, f.streams);
  // The last file of a retiring worker: release every host descriptor before the thread ends.
  if (tainted && files.size === 0) for (const api of [f.api, ...aborted]) closeLeftoverStreams(api, fileStreams(api));
  return { closed: true };
}

async function handle(req: H5Request): Promise<{ value: H5Value; transfer: ArrayBuffer[] }> {
  switch (req.op) {
    case 'open':
      return { value: await open(req), transfer: [] };
    case 'read': {
      const f = fileOf(req.handle);
      checkUnchanged(f, req.ds.path);
      const bytes = f.h5.readSlab(req.ds, req.slab, req.buffer ? new Uint8Array(req.buffer) : undefined);
      const buffer = bytes.buffer as ArrayBuffer;
      return { value: { buffer, byteLength: bytes.byteLength }, transfer: [buffer] };
    }
    case 'strings': {
      const f = fileOf(req.handle);
      checkUnchanged(f, req.path);
      const strings = f.h5.readStrings(req.path);
      return { value: { strings }, transfer: strings.map((s) => s.buffer as ArrayBuffer) };
    }
    case 'close':
      return { value: close(req.handle), transfer: [] };
  }
}

port.on('message', (req: H5Request) => {
  void handle(req).then(
    ({ value, transfer }) => {
      noteAborts();
      port.postMessage({ id: req.id, ok: true, tainted, value } satisfies H5Reply, transfer);
    },
    (err: unknown) => {
      noteAborts();
      port.postMessage({ id: req.id, ok: false, tainted, error: sendError(err) } satisfies H5Reply);
    },
  );
});

/** Count aborted modules (nodeH5Api hands out a fresh one after an abort). */
function noteAborts(): void {
  for (const f of files.values()) if (isBrokenH5Api(f.api)) aborted.add(f.api);
  if (aborted.size >= ABORT_LIMIT) tainted = true;
}

// Loaded before the first request, so h5wasm's start-up is not charged to a file's budget.
void nodeH5Api().then(
  () => port.postMessage({ ready: true }),
  (err: unknown) => port.postMessage({ ready: false, error: sendError(err) }),
);
