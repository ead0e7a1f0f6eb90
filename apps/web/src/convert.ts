/**
 * Conversion in the page: tfweights' own plan and streaming loop (`planConversion`,
 * `streamPlan`, what the CLI's `convert` runs) into the codecs' sink-based writers, with the
 * CLI adapters' own decisions: the checkpoint's object graph and keys (`checkpointWritePlan`),
 * Keras names, layouts, classes and model config (`kerasWriter`, `kerasH5WriterOptions`,
 * `keras3WriterOptions`) and what each output accepts (`kerasAccepts`). Only the ends differ
 * from the CLI: the input is an open reader, the output a sink (a picked file, the
 * origin-private file system, or memory), folders are zipped, and Keras HDF5 files are
 * written by h5wasm in the worker (h5/worker-writers.ts).
 */
import { makeStringTensor, type ByteSink, type ChunkedTensor, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import { BundleWriter, encodeTrackableObjectGraph, OBJECT_GRAPH_KEY } from '@tfweights/checkpoint';
import type { KerasLayout } from '@tfweights/keras';
import { NpzWriter } from '@tfweights/npy';
import { SafetensorsWriter } from '@tfweights/safetensors';
import { TfjsWriter, type TfjsOutput } from '@tfweights/tfjs/codec';
import {
  checkpointWritePlan, keras3WriterOptions, kerasAccepts, kerasH5WriterOptions, kerasWriter, parseCasts, planConversion, plannedInfo, storedKey, streamPlan,
  type ConvertOptions, type CreateOptions, type FormatAdapter, type PipelineWriter,
} from 'tfweights';
import { remoteKerasWriter } from './h5/remote-reader.js';
import { ZipFolderOutput, type OutputSink } from './output-sinks.js';

/** An output the page can write. */
export interface WebOutput {
  /** The choice's value in the page. */
  readonly id: string;
  /** The CLI's format id (its adapter: dtype support, implicit casts). */
  readonly format: string;
  readonly title: string;
  /** File name for an input called `stem`. */
  fileName(stem: string): string;
  /** The writer, from the options the CLI's `convert` gives its adapter's `create`. */
  create(sink: ByteSink, opts: CreateOptions, stem: string): Promise<PipelineWriter>;
  /** Whether the output can hold this tensor (the CLI adapter's `accepts`). */
  accepts?(t: TensorInfo, opts: Pick<CreateOptions, 'source' | 'template'>): true | string;
}

/** A folder zipped into the sink; `write` hands the folder's files to a codec writer. */
function zipped(sink: ByteSink, folder: string, make: (files: ZipFolderOutput) => Promise<PipelineWriter>): Promise<PipelineWriter> {
  const out = new ZipFolderOutput(sink, folder);
  return make(out).then((w) => ({
    write: (t) => w.write(t),
    ...(w.writeChunked ? { writeChunked: (t: ChunkedTensor) => w.writeChunked!(t) } : {}),
    finish: async () => {
      await w.finish();
      await out.commit();
    },
    abort: async () => {
      await w.abort().catch(() => undefined);
      await out.abort();
    },
  }));
}

/**
 * A checkpoint as the CLI's adapter decides it (checkpointWritePlan: TF2 object graph of a
 * Keras 3 model for a Keras input, a checkpoint input's graph kept, …) in one data shard;
 * the object graph is stored last, in shard 0, as `writeCheckpoint` and TF do.
 */
async function checkpointWriter(files: ZipFolderOutput, opts: CreateOptions): Promise<PipelineWriter> {
  const plan = await checkpointWritePlan(opts);
  const w = new BundleWriter(files.file('ckpt.index'), [files.file('ckpt.data-00000-of-00001')], plan.layout.version ? { version: plan.layout.version } : {});
  const stored = <T extends Tensor | ChunkedTensor>(t: T): T | undefined => {
    const key = storedKey(plan, t.key);
    return key === undefined ? undefined : key === t.key ? t : { ...t, key };
  };
  return {
    write: async (t) => {
      const s = stored(t);
      if (s) await w.write(s);
    },
    writeChunked: async (t) => {
      const s = stored(t);
      if (s) await w.writeChunked(s);
    },
    finish: async () => {
      if (plan.objectGraph) await w.write(makeStringTensor(OBJECT_GRAPH_KEY, [], [encodeTrackableObjectGraph(plan.objectGraph)]), { shard: 0 });
      await w.finish();
    },
    abort: () => w.abort(),
  };
}

const layoutOpt = (layout: KerasLayout | undefined) => (layout ? { layout } : {});

export const OUTPUTS: readonly WebOutput[] = [
  {
    id: 'safetensors', format: 'safetensors', title: 'safetensors (.safetensors)', fileName: (s) => `${s}.safetensors`,
    create: (sink, opts) => SafetensorsWriter.create(sink, opts.plan),
  },
  {
    id: 'npz', format: 'npz', title: 'NumPy (.npz)', fileName: (s) => `${s}.npz`,
    create: async (sink) => new NpzWriter(sink),
  },
  {
    id: 'tfjs', format: 'tfjs', title: 'TensorFlow.js folder (.zip of model.json + shards)', fileName: (s) => `${s}-tfjs.zip`,
    create: (sink, opts, stem) => zipped(sink, `${stem}-tfjs`, async (files) => {
      const output: TfjsOutput = { file: async (n) => files.file(n), commit: async () => undefined, abort: async () => undefined };
      return TfjsWriter.create(output, opts.plan);
    }),
  },
  {
    id: 'checkpoint', format: 'checkpoint', title: 'TensorFlow checkpoint (.zip of .index + .data)', fileName: (s) => `${s}-ckpt.zip`,
    create: (sink, opts, stem) => zipped(sink, `${stem}-ckpt`, (files) => checkpointWriter(files, opts)),
  },
  {
    id: 'keras3', format: 'keras3', title: 'Keras 3 weights (.weights.h5)', fileName: (s) => `${s}.weights.h5`,
    accepts: kerasAccepts('keras3'),
    create: (sink, opts) => kerasWriter((layout) => remoteKerasWriter(sink, { kind: 'keras3', ...keras3WriterOptions(opts, false), ...layoutOpt(layout) }), opts),
  },
  {
    id: 'keras', format: 'keras3', title: 'Keras 3 model (.keras)', fileName: (s) => `${s}.keras`,
    accepts: kerasAccepts('keras3'),
    create: (sink, opts) => {
      const { config, ...writer } = keras3WriterOptions(opts, true);
      return kerasWriter((layout) => remoteKerasWriter(sink, { kind: 'keras3', ...writer, ...layoutOpt(layout) }, config !== undefined ? { config } : {}), opts);
    },
  },
  {
    id: 'keras-h5', format: 'keras-h5', title: 'Keras legacy HDF5 (.h5)', fileName: (s) => `${s}.h5`,
    accepts: kerasAccepts('keras-h5'),
    create: (sink, opts) => kerasWriter((layout) => remoteKerasWriter(sink, { kind: 'keras-h5', ...kerasH5WriterOptions(opts), ...layoutOpt(layout) }), opts),
  },
];

/** The options the page offers, as the CLI spells them (globs, `from:to` casts). */
export interface WebConvertOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly dropOptimizer: boolean;
  /** `float32:float16` pairs, comma-separated, as `--cast`. */
  readonly cast: string;
  readonly log?: (line: string) => void;
  readonly onStart?: (total: number) => void;
  readonly onTensor?: (bytes: number, name: string) => void;
}

/** The adapter facts planConversion asks for. */
function planAdapter(out: WebOutput): FormatAdapter {
  return { id: out.format, title: out.title, extensions: [], detect: () => false, ...(out.accepts ? { accepts: out.accepts } : {}) };
}

/** Convert an open reader into `sink` (finished on success, aborted on failure). */
export async function convertTo(reader: TensorReader, out: WebOutput, sink: OutputSink, stem: string, o: WebConvertOptions): Promise<{ written: number; skipped: number; bytes: number }> {
  const opts: ConvertOptions = {
    include: o.include, exclude: o.exclude, dropOptimizer: o.dropOptimizer,
    casts: parseCasts(o.cast.trim() === '' ? [] : [o.cast]),
    ...(o.log ? { log: o.log } : {}), ...(o.onStart ? { onStart: o.onStart } : {}), ...(o.onTensor ? { onTensor: o.onTensor } : {}),
  };
  let writer: PipelineWriter | undefined;
  try {
    const plan = planConversion(reader, planAdapter(out), opts);
    const create: CreateOptions = { overwrite: false, source: reader, plan: plan.written.map(plannedInfo), ...(o.log ? { log: o.log } : {}) };
    writer = await out.create(sink, create, stem);
    const bytes = await streamPlan(reader, writer, plan.written, opts);
    return { written: plan.written.length, skipped: plan.skipped.length, bytes };
  } catch (err) {
    if (!writer) await sink.abort().catch(() => undefined);
    throw err;
  }
}
