/**
 * The page's side of the h5wasm worker: a TensorReader whose list/layers/metadata came with
 * the open answer and whose reads are answered by the worker's KerasReader. The worker (and
 * h5wasm, ~4 MB) is started only when the first HDF5 file is opened.
 */
import { zipKerasArchive, type ArchiveContent } from '@tfweights/keras';
import { CorruptDataError, IoError, LimitExceededError, TfwError, type ByteSink, type ByteSource, type LayerInfo, type Tensor, type TensorInfo, type TensorReader, type TensorWriter, type TfwErrorCode } from '@tfweights/core';
import type { H5Request, H5Response, OpenedH5, WorkerWriterOptions } from './protocol.js';
import type { UrlRange } from './range-file.js';

/** A request without its id (given by call()). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Call = WithoutId<H5Request>;
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

  call(req: Call): Promise<H5Response & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id });
    });
  }
}

let worker: H5Worker | undefined;

/** Largest Keras output built in the worker: MEMFS keeps the whole file in memory (and copies it while growing). */
export const MAX_WORKER_OUTPUT_BYTES = 1024 * 1024 * 1024;

/** Slices the finished file is read back in. */
const READ_BACK_BYTES = 8 * 1024 * 1024;

/**
 * A Keras HDF5 output written by the worker (legacy `.h5` or Keras 3 `.weights.h5`); with
 * `archive`, the `.weights.h5` becomes the `model.weights.h5` of a `.keras` (zipKerasArchive,
 * what the CLI's `.keras` writer runs). finish() reads the file back from the worker in
 * slices into `sink`, so the page never holds it whole.
 */
export async function remoteKerasWriter(sink: ByteSink, options: WorkerWriterOptions, archive?: ArchiveContent): Promise<TensorWriter> {
  worker ??= new H5Worker();
  const w = worker;
  const handle = (await w.call({ op: 'create', name: sink.name, options })).handle!;
  const release = () => w.call({ op: 'release', handle }).then(() => undefined, () => undefined);
  let written = 0;
  return {
    async write(tensor) {
      written += tensor.byteLength;
      if (written > MAX_WORKER_OUTPUT_BYTES) {
        throw new LimitExceededError(`a Keras file is built in memory in the browser, at most ${MAX_WORKER_OUTPUT_BYTES / 2 ** 20} MiB of weights; use the tfweights CLI for larger ones`, { file: sink.name });
      }
      await w.call({ op: 'write', handle, tensor }); // structured clone copies the data
    },
    async finish() {
      try {
        const { size, layers } = await w.call({ op: 'finish', handle });
        const file: ByteSource = {
          name: sink.name, size: size!,
          read: async (offset, length) => (await w.call({ op: 'chunk', handle, offset, length })).bytes!,
        };
        if (archive) await zipKerasArchive(sink, file, layers!, archive);
        else {
          for (let at = 0; at < file.size; at += READ_BACK_BYTES) await sink.write(await file.read(at, Math.min(READ_BACK_BYTES, file.size - at)));
          await sink.finish();
        }
      } catch (err) {
        await sink.abort();
        throw err;
      } finally {
        await release();
      }
    },
    async abort() {
      await release();
      await sink.abort();
    },
  };
}

export class RemoteKerasReader implements TensorReader {
  private closed = false;
  private constructor(private readonly w: H5Worker, private readonly o: OpenedH5) {}

  /** Open an HDF5 Blob (a File, or a slice of a .keras archive), or a URL range, in the worker. */
  static async open(blob: Blob | UrlRange, name: string, opts: { config?: unknown; metadata?: Record<string, unknown> } = {}): Promise<RemoteKerasReader> {
    worker ??= new H5Worker();
    const res = await worker.call({ op: 'open', blob, name, ...opts });
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
    return (await this.w.call({ op: 'read', handle: this.o.handle, key })).tensor!;
  }

  async *tensors(): AsyncIterable<Tensor> {
    for (const t of this.o.list) yield this.read(t.key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.w.call({ op: 'close', handle: this.o.handle });
  }
}
