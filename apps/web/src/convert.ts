/**
 * Conversion in the page: tfweights' own plan and streaming loop (`planConversion`,
 * `streamPlan`, what the CLI's `convert` runs) into the codecs' sink-based writers. Only the
 * ends differ from the CLI: the input is an open reader, the output a sink (a picked file,
 * the origin-private file system, or memory) and folders are zipped.
 */
import { InvalidArgumentError, type ByteSink, type TensorInfo, type TensorReader } from '@tfweights/core';
import { BundleWriter, OBJECT_GRAPH_KEY } from '@tfweights/checkpoint';
import { NpzWriter } from '@tfweights/npy';
import { SafetensorsWriter } from '@tfweights/safetensors';
import { TfjsWriter, type TfjsOutput } from '@tfweights/tfjs/codec';
import {
  parseCasts, planConversion, plannedInfo, streamPlan,
  type ConvertOptions, type FormatAdapter, type PipelineWriter, type PlannedTensor,
} from 'tfweights';
import { remoteWeightsH5Writer } from './h5/remote-reader.js';
import { ZipFolderOutput, type OutputSink } from './output-sinks.js';

/** An output the page can write. */
export interface WebOutput {
  readonly id: string;
  readonly title: string;
  /** File name for an input called `stem`. */
  fileName(stem: string): string;
  create(sink: ByteSink, plan: readonly PlannedTensor[], source: TensorReader, stem: string): Promise<PipelineWriter>;
  /** Whether the output can hold this tensor (the CLI adapter's `accepts`). */
  accepts?(t: TensorInfo): true | string;
}

const isKeras = (r: TensorReader) => r.format === 'keras-h5' || r.format === 'keras3';

/** A folder zipped into the sink; `write` hands the folder's files to a codec writer. */
function zipped(sink: ByteSink, folder: string, make: (files: ZipFolderOutput) => Promise<PipelineWriter>): Promise<PipelineWriter> {
  const out = new ZipFolderOutput(sink, folder);
  return make(out).then((w) => ({
    write: (t) => w.write(t),
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

export const OUTPUTS: readonly WebOutput[] = [
  {
    id: 'safetensors', title: 'safetensors (.safetensors)', fileName: (s) => `${s}.safetensors`,
    create: (sink, plan) => SafetensorsWriter.create(sink, plan.map(plannedInfo)),
  },
  {
    id: 'npz', title: 'NumPy (.npz)', fileName: (s) => `${s}.npz`,
    create: async (sink) => new NpzWriter(sink),
  },
  {
    id: 'tfjs', title: 'TensorFlow.js folder (.zip of model.json + shards)', fileName: (s) => `${s}-tfjs.zip`,
    create: (sink, plan, _src, stem) => zipped(sink, `${stem}-tfjs`, async (files) => {
      const output: TfjsOutput = { file: async (n) => files.file(n), commit: async () => undefined, abort: async () => undefined };
      return TfjsWriter.create(output, plan.map(plannedInfo));
    }),
  },
  {
    id: 'checkpoint', title: 'TensorFlow checkpoint (.zip of .index + .data)', fileName: (s) => `${s}-ckpt.zip`,
    create: (sink, plan, _src, stem) => zipped(sink, `${stem}-ckpt`, async (files) => {
      // One data shard; a checkpoint input's object graph passes through when its keys are kept.
      const keepGraph = plan.some((p) => p.key === OBJECT_GRAPH_KEY);
      const w = new BundleWriter(files.file('ckpt.index'), [files.file('ckpt.data-00000-of-00001')]);
      return keepGraph ? w : { write: async (t) => (t.key === OBJECT_GRAPH_KEY ? undefined : w.write(t)), finish: () => w.finish(), abort: () => w.abort() };
    }),
  },
  {
    id: 'keras3', title: 'Keras 3 weights (.weights.h5, from a Keras file)', fileName: (s) => `${s}.weights.h5`,
    accepts: (t) => (t.role === 'bookkeeping' ? 'a Keras file has no place for TensorFlow bookkeeping (save_counter, global_step)' : true),
    create: async (sink, _plan, source) => {
      if (!isKeras(source)) {
        throw new InvalidArgumentError(`in the browser, .weights.h5 is written from Keras files only (this is ${source.format}); the tfweights CLI names other formats' weights the Keras way`, { file: sink.name });
      }
      const classes: Record<string, string> = {};
      for (const l of source.layers?.() ?? []) if (l.className) classes[l.name] = l.className;
      return remoteWeightsH5Writer(sink, classes);
    },
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
  return { id: out.id, title: out.title, extensions: [], detect: () => false, ...(out.accepts ? { accepts: out.accepts } : {}) };
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
    writer = await out.create(sink, plan.written, reader, stem);
    const bytes = await streamPlan(reader, writer, plan.written, opts);
    return { written: plan.written.length, skipped: plan.skipped.length, bytes };
  } catch (err) {
    if (!writer) await sink.abort().catch(() => undefined);
    throw err;
  }
}
