/**
 * The page's side of the h5wasm worker: a TensorReader whose list/layers/metadata came with
 * the open answer and whose reads are answered by the worker's KerasReader. The worker (and
 * h5wasm, ~4 MB) is started only when the first HDF5 file is opened.
 */
import { CorruptDataError, IoError, LimitExceededError, TfwError, type ByteSink, type LayerInfo, type Tensor, type TensorInfo, type TensorReader, type TensorWriter, type TfwErrorCode } from '@tfweights/core';
import type { H5Request, H5Response, OpenedH5 } from './protocol.js';

type Pending = { resolve: (r: H5Response & { ok: true }) => void; reject: (e: unknown) => void };

/** Rebuild a worker error as a TfwError with the same one-line message. */
class WorkerTfwError extends TfwError {
  constructor(code: TfwErrorCode, message: string) {
    super(code, message);
  }
}

class H5Worker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<H5Response>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      this.pending.delete(ev.data.id);
      if (ev.data.ok) p.resolve(ev.data);
      else p.reject(ev.data.error.code ? new WorkerTfwError(ev.data.error.code as TfwErrorCode, ev.data.error.message) : new Error(ev.data.error.message));
    };
    this.worker.onerror = (ev) => {
      const err = new IoError(`the HDF5 worker failed to start: ${ev.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  call(req: Omit<H5Request, 'id'>): Promise<H5Response & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id });
    });
  }
}

let worker: H5Worker | undefined;

/**
 * A Keras 3 `.weights.h5` written by the worker's Keras3WeightsStream; finish() writes the
 * finished file into `sink`. The file is built in the worker's memory, so it is bounded.
 */
export async function remoteWeightsH5Writer(sink: ByteSink, classes: Record<string, string>): Promise<TensorWriter> {
  worker ??= new H5Worker();
  const w = worker;
  const { handle } = await w.call({ op: 'create', name: sink.name, classes } as Omit<H5Request, 'id'>);
  let written = 0;
  return {
    async write(tensor) {
      written += tensor.byteLength;
      if (written > MAX_WORKER_OUTPUT_BYTES) throw new LimitExceededError(`a Keras file is built in memory in the browser, at most ${MAX_WORKER_OUTPUT_BYTES / 2 ** 20} MiB; use the tfweights CLI for larger ones`, { file: sink.name });
      await w.call({ op: 'write', handle, tensor } as Omit<H5Request, 'id'>); // structured clone copies the data
    },
    async finish() {
      const { bytes } = await w.call({ op: 'finish', handle } as Omit<H5Request, 'id'>);
      for (let at = 0; at < bytes!.byteLength; at += 8 << 20) await sink.write(bytes!.subarray(at, Math.min(bytes!.byteLength, at + (8 << 20))));
      await sink.finish();
    },
    async abort() {
      await w.call({ op: 'abort', handle } as Omit<H5Request, 'id'>).catch(() => undefined);
      await sink.abort();
    },
  };
}

/** Largest Keras output built in the worker (wasm memory holds the whole file). */
export const MAX_WORKER_OUTPUT_BYTES = 1024 * 1024 * 1024;

export class RemoteKerasReader implements TensorReader {
  private closed = false;
  private constructor(private readonly w: H5Worker, private readonly o: OpenedH5) {}

  /** Open an HDF5 Blob (a File, or a slice of a .keras archive) in the worker. */
  static async open(blob: Blob, name: string, opts: { config?: unknown; metadata?: Record<string, unknown> } = {}): Promise<RemoteKerasReader> {
    worker ??= new H5Worker();
    const res = await worker.call({ op: 'open', blob, name, ...opts } as Omit<H5Request, 'id'>);
    return new RemoteKerasReader(worker, res.opened!);
  }

  get format(): 'keras-h5' | 'keras3' {
    return this.o.format;
  }
  get source(): string {
    return this.o.source;
  }
  get metadata(): Readonly<Record<string, unknown>> {
    return this.o.metadata;
  }
  list(): readonly TensorInfo[] {
    return this.o.list;
  }
  layers(): readonly LayerInfo[] {
    return this.o.layers;
  }

  async read(key: string): Promise<Tensor> {
    if (this.closed) throw new CorruptDataError('read after close', { file: this.source });
    return (await this.w.call({ op: 'read', handle: this.o.handle, key } as Omit<H5Request, 'id'>)).tensor!;
  }

  async *tensors(): AsyncIterable<Tensor> {
    for (const t of this.o.list) yield this.read(t.key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.w.call({ op: 'close', handle: this.o.handle } as Omit<H5Request, 'id'>);
  }
}
