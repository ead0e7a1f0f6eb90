/**
 * Atomic Keras writers for Node: h5wasm writes to a temporary path beside the target (or in
 * the system temp folder for the HDF5 member of a `.keras`), which is renamed into place only
 * when complete. The TensorWriters stream: each tensor is written to the file when it arrives.
 */
import { join } from 'node:path';
import { type ChunkedTensor, type Tensor, type TensorWriter } from '@tfweights/core';
import { checkWritableTarget, createFileSink, makeTrackedTempDir, openFile, refuseOverwritingInput, writeAtomically, type AtomicOptions } from '@tfweights/core/node';
import type { H5Api } from '../h5-api.js';
import { Keras3WeightsStream, LegacyH5Stream, type Keras3WeightsOptions, type LegacyH5Options, type StreamOptions } from '../stream-writers.js';
import { writeKeras3WeightsFile, writeLegacyH5Model } from '../write-layouts.js';
import type { KerasLayout } from '../write-layout.js';
import type { KerasModelWeights } from '../writer-input.js';
import { zipKerasArchive, type ArchiveContent } from '../archive-write.js';
import { nodeH5Api } from './h5wasm-node.js';
import { markFixedStringsNullPad } from './strpad.js';

export interface WriteOptions extends AtomicOptions {
  /** Paths being read, so the output can never replace one of them. */
  inputs?: readonly string[];
}

export interface ArchiveOptions extends Keras3WeightsOptions, WriteOptions, ArchiveContent {}

/** Write a legacy Keras `.h5` that `load_weights` accepts (and `load_model` with a model config). */
export async function writeKerasH5(path: string, model: KerasModelWeights, opts: LegacyH5Options & WriteOptions = {}): Promise<void> {
  refuseOverwritingInput(path, opts.inputs ?? []);
  const api = await nodeH5Api();
  await writeAtomically(path, async (temp) => {
    await markFixedStringsNullPad(temp, writeLegacyH5Model(api, temp, model, opts, path));
  }, opts);
}

/** Write a Keras 3 `.weights.h5`. */
export async function writeKerasWeightsH5(path: string, model: KerasModelWeights, opts: Keras3WeightsOptions & WriteOptions = {}): Promise<void> {
  refuseOverwritingInput(path, opts.inputs ?? []);
  const api = await nodeH5Api();
  await writeAtomically(path, async (temp) => writeKeras3WeightsFile(api, temp, model, opts, path), opts);
}

/** Zip a finished `model.weights.h5` with metadata.json and config.json into `path` (atomic). */
async function zipArchive(path: string, h5Path: string, layers: readonly { name: string; className?: string }[], opts: ArchiveOptions): Promise<void> {
  const sink = await createFileSink(path, opts);
  const h5 = await openFile(h5Path);
  try {
    await zipKerasArchive(sink, h5, layers, opts);
  } finally {
    await h5.close();
  }
}

/** Write a `.keras` archive: stored members metadata.json, config.json, model.weights.h5, in that order. */
export async function writeKerasArchive(path: string, model: KerasModelWeights, opts: ArchiveOptions = {}): Promise<void> {
  refuseOverwritingInput(path, opts.inputs ?? []);
  const api = await nodeH5Api();
  const dir = await makeTrackedTempDir('tfw-keras-');
  try {
    const h5Path = join(dir.path, 'model.weights.h5');
    writeKeras3WeightsFile(api, h5Path, model, opts, `${path}:model.weights.h5`);
    await zipArchive(path, h5Path, model.layers, opts);
  } finally {
    await dir.remove();
  }
}

export interface AdapterOptions {
  /** Layer name → class name (Keras 3 group keys and config), for layers the layout gives no class. */
  classes?: Readonly<Record<string, string>>;
  /**
   * Where every tensor goes, when known before the first one: the name lists follow it
   * whatever order tensors arrive in. Without it tensors are grouped by `tensor.layer` or
   * `<layer>/<weight>` names, layers in first-seen order, weights in arrival order.
   */
  layout?: KerasLayout;
}

type Stream = LegacyH5Stream | Keras3WeightsStream;

/**
 * A TensorWriter over a streaming writer: the temporary file is created at once (refusals
 * such as an existing target surface at the first write), each tensor is written when it
 * arrives, and finish() completes the file and moves it into place.
 */
class StreamingWriter implements TensorWriter {
  private readonly ready: Promise<Stream>;
  private state: 'open' | 'finished' | 'aborted' = 'open';
  constructor(
    open: () => Promise<Stream>,
    private readonly complete: (s: Stream) => Promise<void>,
    private readonly discard: () => Promise<void>,
  ) {
    this.ready = open();
    this.ready.catch(() => undefined);
  }
  async write(tensor: Tensor | ChunkedTensor): Promise<void> {
    if (this.state !== 'open') throw new Error(`write after ${this.state === 'finished' ? 'finish' : 'abort'}`);
    const s = await this.ready;
    await s.write(tensor);
  }
  /** A chunked tensor, slab by slab into its dataset. */
  async writeChunked(tensor: ChunkedTensor): Promise<void> {
    await this.write(tensor);
  }
  async finish(): Promise<void> {
    if (this.state !== 'open') return;
    const s = await this.ready;
    this.state = 'finished';
    try {
      await this.complete(s);
    } catch (err) {
      s.abort();
      await this.discard();
      throw err;
    }
  }
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    const s = await this.ready.catch(() => undefined);
    s?.abort();
    await this.discard();
  }
}

/** An atomic temporary path that commit() renames onto `target` (core's writeAtomically, held open). */
async function heldAtomicPath(target: string, opts: AtomicOptions): Promise<{ temp: string; commit(): Promise<void>; abort(): Promise<void> }> {
  let release!: (keep: boolean) => void;
  const gate = new Promise<boolean>((r) => (release = r));
  let gotTemp!: (temp: string) => void;
  const temp = new Promise<string>((r) => (gotTemp = r));
  const done = writeAtomically(target, async (t) => {
    gotTemp(t);
    if (!(await gate)) throw new Error('aborted');
  }, opts);
  done.catch(() => undefined);
  const path = await Promise.race([temp, done.then(() => '')]);
  return {
    temp: path,
    commit: async () => {
      release(true);
      await done;
    },
    abort: async () => {
      release(false);
      await done.catch(() => undefined);
    },
  };
}

function streamOpts(opts: AdapterOptions): StreamOptions {
  return { ...(opts.layout ? { layout: opts.layout } : {}), ...(opts.classes ? { classes: opts.classes } : {}) };
}

/** Opens the file beside `path` now, writes each tensor as it arrives, renames on finish. */
function atomicStreamingWriter(path: string, opts: WriteOptions, create: (api: H5Api, temp: string) => Stream, after: (temp: string, s: Stream) => Promise<void>): TensorWriter {
  let held: Awaited<ReturnType<typeof heldAtomicPath>> | undefined;
  return new StreamingWriter(
    async () => {
      refuseOverwritingInput(path, opts.inputs ?? []);
      const api = await nodeH5Api();
      held = await heldAtomicPath(path, opts);
      try {
        return create(api, held.temp);
      } catch (err) {
        await held.abort();
        throw err;
      }
    },
    async (s) => {
      await after(held!.temp, s);
      await held!.commit();
    },
    async () => held?.abort(),
  );
}

/** A streaming TensorWriter producing a legacy `.h5`: each tensor is written when it arrives. */
export function createKerasH5Writer(path: string, opts: LegacyH5Options & WriteOptions & AdapterOptions = {}): TensorWriter {
  return atomicStreamingWriter(path, opts, (api, temp) => LegacyH5Stream.create(api, temp, { ...opts, ...streamOpts(opts) }, path), async (temp, s) => {
    (s as LegacyH5Stream).finish();
    await markFixedStringsNullPad(temp, s.h5);
  });
}

/** A streaming TensorWriter producing a Keras 3 `.weights.h5`. */
export function createKerasWeightsH5Writer(path: string, opts: Keras3WeightsOptions & WriteOptions & AdapterOptions = {}): TensorWriter {
  return atomicStreamingWriter(path, opts, (api, temp) => Keras3WeightsStream.create(api, temp, { ...opts, ...streamOpts(opts) }, path), async (_temp, s) => {
    (s as Keras3WeightsStream).finish();
  });
}

/**
 * A streaming TensorWriter producing a `.keras` archive: `model.weights.h5` is written to a
 * temporary file as tensors arrive, then stored into the zip (read back in slices) on finish.
 */
export function createKerasArchiveWriter(path: string, opts: ArchiveOptions & AdapterOptions = {}): TensorWriter {
  let dir: Awaited<ReturnType<typeof makeTrackedTempDir>> | undefined;
  return new StreamingWriter(
    async () => {
      refuseOverwritingInput(path, opts.inputs ?? []);
      await checkWritableTarget(path, opts);
      const api = await nodeH5Api();
      dir = await makeTrackedTempDir('tfw-keras-');
      return Keras3WeightsStream.create(api, join(dir.path, 'model.weights.h5'), { ...opts, ...streamOpts(opts) }, `${path}:model.weights.h5`);
    },
    async (s) => {
      const k = s as Keras3WeightsStream;
      k.finish();
      try {
        await zipArchive(path, join(dir!.path, 'model.weights.h5'), k.layerList(), opts);
      } finally {
        await dir!.remove();
      }
    },
    async () => {
      if (dir) await dir.remove();
    },
  );
}
