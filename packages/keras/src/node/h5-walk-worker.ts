/**
 * The worker_threads side of {@link walkKerasH5}: its own confined h5wasm module opens each
 * file it is sent, lists its Keras layout (the whole libhdf5 metadata walk: groups, datasets,
 * attributes, string attributes) and closes it. Runs one request at a time; the main thread
 * terminates this thread when a walk outlives its budget.
 */
import { parentPort } from 'node:worker_threads';
import { H5Reader } from '../h5-file.js';
import { parseKerasLayout } from '../keras-reader.js';
import { nodeH5Api } from './h5wasm-node.js';
import { sendError } from './worker-error.js';
import type { WalkReply, WalkRequest } from './h5-walk.js';

const port = parentPort;
if (!port) throw new Error('h5-walk-worker runs in a worker thread');

port.on('message', (req: WalkRequest) => {
  void walk(req).then((reply) => port.postMessage(reply));
});

async function walk(req: WalkRequest): Promise<WalkReply> {
  try {
    const h5 = H5Reader.open(await nodeH5Api(), req.path, req.name);
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
