/**
 * A SavedModel writer that takes the new values one tensor at a time (whole or in chunks), so
 * a conversion into a SavedModel holds one chunk, not every new weight. The output is the
 * template SavedModel with its variables bundle rewritten in the template's data order and
 * shards: values must arrive in {@link SavedModelWriter.order} (the conversion pipeline
 * follows it); every entry passed on the way that gets no new value is copied from the
 * template (in chunks too). The directory is assembled under a temporary name and renamed
 * into place by finish(); abort() or any failure leaves nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleWriter, dataFileName, extractSlice, type CheckpointReader } from '@tfweights/checkpoint';
import {
  checkLength, dtypeInfo, InvalidArgumentError, isChunked, materialize, TensorNotFoundError,
  type ChunkedTensor, type Tensor, type TensorWriter,
} from '@tfweights/core';
import { createFileSink, writeAtomically } from '@tfweights/core/node';
import { fingerprint64 } from '../farmhash.js';
import { withCheckpointHash } from '../fingerprint.js';
import { OBJECT_GRAPH_KEY, type SavedModelReader } from '../reader.js';
import { FINGERPRINT_PB, openSavedModel, VARIABLES_PREFIX } from './open.js';
import { checkedTarget, copyTree, problemWith, shapeProblem, type WriteSavedModelOptions, type WriteSavedModelResult } from './write.js';

export interface SavedModelWriter extends Omit<TensorWriter, 'finish'> {
  /** Bundle keys of the variables in the order the values must come (the template's data order). */
  readonly order: readonly string[];
  /** A new value in chunks (bounded memory); partitioned variables are collected whole to be cut. */
  writeChunked(tensor: ChunkedTensor): Promise<void>;
  /** Rename the finished directory into place; the result says what was replaced and copied. */
  finish(): Promise<WriteSavedModelResult>;
}

type Job = { value: Tensor | ChunkedTensor; done: (err?: unknown) => void } | { end: 'finish' | 'abort'; done: (err?: unknown) => void };

/** A queue of one consumer: the worker that writes inside writeAtomically's callback. */
class Inbox {
  private readonly queue: Job[] = [];
  private waiting: ((j: Job) => void) | undefined;
  put(j: Job): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (w) w(j);
    else this.queue.push(j);
  }
  take(): Promise<Job> {
    const j = this.queue.shift();
    return j ? Promise.resolve(j) : new Promise((r) => (this.waiting = r));
  }
}

/**
 * Create the writer. `opts.expect` (bundle keys) names the variables that will get new values:
 * passing one of them before its value came is an error, not a silent copy of the old value.
 */
export async function createSavedModelWriter(
  srcDir: string, outDir: string, opts: WriteSavedModelOptions & { expect?: readonly string[] } = {},
): Promise<SavedModelWriter> {
  await checkedTarget(srcDir, outDir);
  const reader = await openSavedModel(srcDir, {
    ...(opts.tags ? { tags: opts.tags } : {}), ...(opts.verifyChecksums !== undefined ? { verifyChecksums: opts.verifyChecksums } : {}),
  });
  const bundle = reader.bundle;
  const entries = new Map((bundle?.entries() ?? []).map((e) => [e.key, e]));
  const dataOrder = bundle?.dataOrder() ?? [];
  const ownerOf = (key: string) => entries.get(key)?.sliceOf?.key ?? key;
  const order = [...new Set(dataOrder.map(ownerOf))].filter((k) => k !== OBJECT_GRAPH_KEY);
  const expected = new Set((opts.expect ?? []).map((k) => reader.resolveKey(k)));
  const inbox = new Inbox();
  const replaced: string[] = [];
  let closed = false;

  const run = writeAtomically(outDir, async (tmp) => {
    const bundleFiles = new Set<string>();
    if (bundle) {
      bundleFiles.add('variables.index');
      for (let i = 0; i < bundle.header.numShards; i++) bundleFiles.add(dataFileName('variables', i, bundle.header.numShards));
    }
    await copyTree(srcDir, tmp, bundleFiles);
    const prefix = join(tmp, VARIABLES_PREFIX);
    const copied = bundle ? await writeBundle(reader, bundle, prefix, inbox, { expected, replaced, ownerOf, ...(opts.verifyChecksums !== undefined ? { verify: opts.verifyChecksums } : {}) }) : await noBundle(reader, inbox);
    let fingerprint: WriteSavedModelResult['fingerprint'] = reader.fingerprint !== undefined ? 'dropped' : 'absent';
    const policy = opts.fingerprint ?? 'update';
    if (reader.fingerprint !== undefined && policy !== 'drop') {
      const original = await readFile(join(srcDir, FINGERPRINT_PB));
      let bytes: Uint8Array = original;
      if (policy === 'update') {
        const index = bundle ? await readFile(`${prefix}.index`) : undefined;
        bytes = withCheckpointHash(original, index ? fingerprint64(index) : 0n, join(srcDir, FINGERPRINT_PB));
      }
      await writeFile(join(tmp, FINGERPRINT_PB), bytes, { flag: 'wx' });
      fingerprint = policy === 'update' ? 'updated' : 'kept';
    }
    return { outDir, replaced: [...replaced].sort(), copied, fingerprint };
  }, { overwrite: opts.overwrite ?? false }).finally(() => reader.close());
  // Failures reach the caller through the job that was running, or through finish().
  run.catch(() => undefined);

  const send = (make: (done: (err?: unknown) => void) => Job): Promise<void> => {
    if (closed) return Promise.reject(new InvalidArgumentError('write after finish/abort', { file: outDir }));
    return new Promise<void>((resolve, reject) => {
      inbox.put(make((err) => (err === undefined ? resolve() : reject(err))));
      // The worker may already have failed: then nobody takes the job.
      run.catch(reject);
    });
  };
  return {
    order,
    write: (value) => send((done) => ({ value, done })),
    writeChunked: (value) => send((done) => ({ value, done })),
    async finish() {
      await send((done) => ({ end: 'finish', done }));
      closed = true;
      return run;
    },
    async abort() {
      if (!closed) inbox.put({ end: 'abort', done: () => undefined });
      closed = true;
      await run.catch(() => undefined);
    },
  };
}

/** A program-only SavedModel has no variables: only finish() or abort() can come. */
async function noBundle(reader: SavedModelReader, inbox: Inbox): Promise<number> {
  const job = await inbox.take();
  if ('end' in job && job.end === 'finish') {
    job.done();
    return 0;
  }
  const err = 'end' in job ? new InvalidArgumentError('aborted', { file: reader.source }) : new TensorNotFoundError(job.value.key, [], { file: reader.source, expected: 'a variables/ bundle (this SavedModel is program-only)' });
  job.done(err);
  throw err;
}

interface BundleState {
  expected: ReadonlySet<string>;
  replaced: string[];
  ownerOf: (key: string) => string;
  verify?: boolean;
}

/**
 * The worker: take values as they come, copy every data entry before each one from the
 * template, write the value, and at finish copy the rest. Slices of a partitioned variable
 * are cut from its new full value (held whole until its last slice is written).
 */
async function writeBundle(reader: SavedModelReader, bundle: CheckpointReader, prefix: string, inbox: Inbox, s: BundleState): Promise<number> {
  const entries = new Map(bundle.entries().map((e) => [e.key, e]));
  const order = bundle.dataOrder();
  const n = bundle.header.numShards;
  const indexSink = await createFileSink(`${prefix}.index`);
  const shardSinks = [];
  for (let i = 0; i < n; i++) shardSinks.push(await createFileSink(dataFileName(prefix, i, n)));
  const writer = new BundleWriter(indexSink, shardSinks, { version: { ...bundle.header.version, badConsumers: [...bundle.header.version.badConsumers] } });
  const readOpts = s.verify === undefined ? {} : { verifyChecksums: s.verify };
  const arrived = new Set<string>();
  const whole = new Map<string, Tensor>(); // partitioned variables' new values
  let next = 0;
  let copied = 0;
  /** Write data entries until `stop` (a key) is next, or all of them. */
  const advance = async (stop?: string) => {
    for (; next < order.length && order[next] !== stop; next++) {
      const key = order[next]!;
      const e = entries.get(key)!;
      const owner = s.ownerOf(key);
      const value = whole.get(owner);
      if (!value && s.expected.has(owner) && !arrived.has(owner)) {
        throw new InvalidArgumentError(`the new value of '${owner}' did not come in the bundle's data order (SavedModelWriter.order)`, { file: reader.source });
      }
      if (!value) copied++;
      if (e.sliceOf) {
        const full = entries.get(owner)!;
        const t = value ? extractSlice({ ...value, key: owner }, e.sliceOf.extents) : await bundle.read(key, readOpts);
        await writer.writeSlice(owner, full.shape, e.sliceOf.extents, t, { shard: e.shardId });
      } else if (dtypeInfo(e.dtype).itemSize > 0) {
        await writer.writeChunked(await bundle.readChunked(key, readOpts), { shard: e.shardId });
      } else {
        await writer.write(await bundle.read(key, readOpts), { shard: e.shardId });
      }
    }
  };
  try {
    for (;;) {
      const job = await inbox.take();
      if ('end' in job) {
        if (job.end === 'abort') throw new InvalidArgumentError('aborted', { file: reader.source });
        try {
          await advance();
          await writer.finish();
        } catch (err) {
          job.done(err);
          throw err;
        }
        job.done();
        return copied;
      }
      try {
        await place(job.value);
        job.done();
      } catch (err) {
        job.done(err);
        throw err;
      }
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }

  async function place(value: Tensor | ChunkedTensor): Promise<void> {
    const key = reader.resolveKey(value.key);
    if (key === OBJECT_GRAPH_KEY) throw new InvalidArgumentError(`'${value.key}' is the object graph, which is copied verbatim and cannot be replaced`, { file: reader.source });
    if (arrived.has(key)) throw new InvalidArgumentError(`two new values for '${key}'`, { file: reader.source });
    const info = reader.info(key);
    const e = entries.get(key)!;
    const t = isChunked(value) && (e.slices || dtypeInfo(value.dtype).itemSize === 0) ? await materialize(value) : value;
    // Chunks are counted as they pass (checkLength); a whole value is checked here.
    const problem = isChunked(t) ? shapeProblem(value.key, info, t) : problemWith(value.key, info, t);
    if (problem) throw new InvalidArgumentError(`cannot use the new value: ${problem}`, { file: reader.source });
    if (e.slices) {
      // Its slices may sit anywhere in data order: hold the value, cut each slice when it comes.
      if (order.findIndex((k) => s.ownerOf(k) === key) < next) throw new InvalidArgumentError(`the new value of '${key}' came after its slices were copied`, { file: reader.source });
      whole.set(key, t as Tensor);
    } else {
      if (order.indexOf(key) < next) throw new InvalidArgumentError(`the new value of '${key}' came after its entry was copied (values must come in SavedModelWriter.order)`, { file: reader.source });
      await advance(key);
      next++;
      if (isChunked(t)) await writer.writeChunked({ ...t, key, chunks: () => checkLength(info, t.chunks()) }, { shard: e.shardId });
      else await writer.write({ ...t, key }, { shard: e.shardId });
    }
    arrived.add(key);
    s.replaced.push(key);
  }
}
