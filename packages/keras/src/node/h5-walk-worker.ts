/**
 * The worker_threads side of {@link walkKerasH5}: its own confined h5wasm module opens each
 * file it is sent, lists its Keras layout (the whole libhdf5 metadata walk: groups, datasets,
 * attributes, string attributes) and closes it. Runs one request at a time; every h5wasm call
 * that returns bumps a shared counter, and the main thread terminates this thread when the
 * counter stands still for the budget (one libhdf5 call that does not return).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { H5Reader } from '../h5-file.js';
import { parseKerasLayout } from '../keras-reader.js';
import { nodeH5Api } from './h5wasm-node.js';
import { sendError } from './worker-error.js';
import type { WalkReply, WalkRequest } from './h5-walk.js';

const port = parentPort;
if (!port) throw new Error('h5-walk-worker runs in a worker thread');
/** Bumped after every h5wasm call returns: the main thread watches it for a stuck call. */
const progress = new Int32Array((workerData as { progress: SharedArrayBuffer }).progress);
const instrumented = new WeakSet<object>();

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

port.on('message', (req: WalkRequest) => {
  void walk(req).then((reply) => port.postMessage(reply));
});

async function walk(req: WalkRequest): Promise<WalkReply> {
  try {
    const api = await nodeH5Api();
    instrument(api.module);
    const h5 = H5Reader.open(api, req.path, req.name);
    try {
      const layout = parseKerasLayout(h5, { ...(req.config !== undefined ? { config: req.config } : {}), ...(req.metadata ? { metadata: req.metadata } : {}) });
      return { id: req.id, ok: true, layout, fileSize: h5.fileSize };
    } finally {
      h5.close();
    }
  } catch (err) {
    return { id: req.id, ok: false, error: sendError(err) };
  }
}

// Loaded before the first request, so h5wasm's start-up is not charged to a file's budget.
void nodeH5Api().then(
  () => port.postMessage({ ready: true }),
  (err: unknown) => port.postMessage({ ready: false, error: sendError(err) }),
);
