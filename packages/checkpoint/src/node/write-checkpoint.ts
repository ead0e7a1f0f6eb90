/**
 * Writing a checkpoint to `<prefix>.index` + `<prefix>.data-*` atomically: every file is
 * written under a temporary name and all are renamed only once all are complete.
 */
import { InvalidArgumentError, isChunked, materialize, type ByteSink, type ChunkedTensor, type Tensor } from '@tfweights/core';
import { AtomicFileSet, type AtomicOptions } from '@tfweights/core/node';
import { encodeTrackableObjectGraph, type TrackableObjectGraph } from '../object-graph-proto.js';
import { OBJECT_GRAPH_KEY } from '../key-names.js';
import { dataFileName, indexFileName } from '../naming-files.js';
import { BundleWriter, type BundleWriterOptions } from '../writer.js';
import { makeStringTensor } from '@tfweights/core';
import type { PartitionLayout } from '../bundle-layout.js';
import { extractSlice, isFullSlice } from '../slice-extract.js';
import { sliceSpec } from '../slice-key.js';

export interface WriteCheckpointOptions extends AtomicOptions, BundleWriterOptions {
  /** Number of data files (default 1). */
  numShards?: number;
  /**
   * Order of tensors in the data files: `input` (default, streams), `key` (sorted by key;
   * holds every tensor until the end) or an explicit list of keys (holds only tensors that
   * arrive before their turn; keys not listed follow in input order).
   */
  dataOrder?: 'input' | 'key' | readonly string[];
  /** TF2 object graph, stored last as `_CHECKPOINTABLE_OBJECT_GRAPH` (shard 0), as TF does. */
  objectGraph?: TrackableObjectGraph;
  /**
   * Tensors to store partitioned, by key: each arriving full tensor is cut into these slices
   * (TF1 partitioned variables, BundleWriter::AddSlice). With a `dataOrder` list, a slice takes
   * its turn under its key `<full key>@<slice spec>` (what `CheckpointReader.dataOrder()` lists).
   */
  partitions?: ReadonlyMap<string, PartitionLayout>;
}


/** Result of a write: the files produced. */
export interface WrittenCheckpoint {
  prefix: string;
  files: string[];
  tensors: number;
}

/** A sink whose finish() is left to the AtomicFileSet commit. */
function deferFinish(s: ByteSink): ByteSink {
  return {
    get name() { return s.name; },
    get position() { return s.position; },
    write: (b) => s.write(b),
    // Forwarded, or every shard would wait for each write (see ByteSink.writeBehind).
    ...(s.writeBehind ? { writeBehind: (b: Uint8Array) => s.writeBehind!(b) } : {}),
    finish: async () => undefined,
    abort: () => s.abort(),
  };
}

/** A partitioned tensor, which arrives whole (chunked ones are gathered on arrival). */
function wholeOf(t: Tensor | ChunkedTensor): Tensor {
  if (isChunked(t)) throw new InvalidArgumentError('a partitioned tensor must be whole to be sliced', { entry: t.key });
  return t;
}

/**
 * Write tensors as a bundle at `prefix`. Chunked tensors ({@link ChunkedTensor}) stream into
 * the data file chunk by chunk; held ones (dataOrder `key` or a list) keep only their handle.
 * Tensors cut into `partitions` are gathered whole first, as slicing needs every element.
 */
export async function writeCheckpoint(
  prefix: string, tensors: Iterable<Tensor | ChunkedTensor> | AsyncIterable<Tensor | ChunkedTensor>, opts: WriteCheckpointOptions = {},
): Promise<WrittenCheckpoint> {
  const numShards = opts.numShards ?? 1;
  if (!Number.isInteger(numShards) || numShards < 1 || numShards > 99999) {
    throw new InvalidArgumentError('numShards must be an integer from 1 to 99999', { file: prefix, found: String(numShards) });
  }
  const set = new AtomicFileSet(opts.overwrite ? { overwrite: true } : {});
  const files = [indexFileName(prefix), ...Array.from({ length: numShards }, (_, i) => dataFileName(prefix, i, numShards))];
  let count = 0;
  try {
    // The .index is renamed last (and an old one removed first): never a new index over old data.
    const index = deferFinish(await set.sink(files[0]!, { last: true }));
    const shards: ByteSink[] = [];
    for (const f of files.slice(1)) shards.push(deferFinish(await set.sink(f)));
    const writer = new BundleWriter(index, shards, opts);
    const order = opts.dataOrder ?? 'input';
    const partitions = opts.partitions ?? new Map<string, PartitionLayout>();
    // Slice keys of partitioned tensors: `<full>@<spec>` → full key and slice number.
    const sliceKeys = new Map<string, { full: string; i: number }>();
    for (const [full, p] of partitions) p.slices.forEach((ext, i) => sliceKeys.set(`${full}@${sliceSpec(ext)}`, { full, i }));
    const declared = new Set<string>();
    /** Slice numbers written so far, per partitioned tensor. */
    const slicesDone = new Map<string, Set<number>>();
    const writeSliceOf = async (t: Tensor, i: number): Promise<void> => {
      const p = partitions.get(t.key)!;
      if (!declared.has(t.key)) {
        // The full entry lists the slices in the layout's order, whatever order they are stored in.
        const partial = p.slices.filter((ext) => !isFullSlice(t.shape, ext));
        if (partial.length > 0) writer.declareSlices(t.key, t.dtype, t.shape, partial);
        declared.add(t.key);
      }
      const done = slicesDone.get(t.key) ?? new Set<number>();
      slicesDone.set(t.key, done);
      if (done.has(i)) return;
      done.add(i);
      const shard = p.shards?.[i];
      await writer.writeSlice(t.key, t.shape, p.slices[i]!, extractSlice(t, p.slices[i]!), shard === undefined ? {} : { shard });
    };
    /** Write a whole tensor, or every slice of a partitioned one not written yet. */
    const emit = async (t: Tensor | ChunkedTensor): Promise<void> => {
      const p = partitions.get(t.key);
      if (p) for (let i = 0; i < p.slices.length; i++) await writeSliceOf(wholeOf(t), i);
      else if (isChunked(t)) await writer.writeChunked(t);
      else await writer.write(t);
      count++;
    };
    const held = new Map<string, Tensor | ChunkedTensor>();
    const wanted = Array.isArray(order) ? (order as readonly string[]) : undefined;
    let next = 0;
    /** Write, from the front of the `dataOrder` list, every entry whose tensor has arrived. */
    const drain = async (): Promise<void> => {
      while (next < wanted!.length) {
        const k = wanted![next]!;
        const s = sliceKeys.get(k);
        const full = s ? s.full : k;
        const t = held.get(full);
        if (!t) {
          // A slice of a tensor already written whole (listed under its full key too): nothing left to do.
          if (s && slicesDone.get(full)?.size === partitions.get(full)!.slices.length) {
            next++;
            continue;
          }
          return;
        }
        next++;
        if (s) await writeSliceOf(wholeOf(t), s.i);
        if (!s || slicesDone.get(full)!.size === partitions.get(full)!.slices.length) {
          if (!s) await emit(t);
          else count++;
          held.delete(full);
        }
      }
    };
    for await (const arrived of tensors) {
      if (opts.objectGraph && arrived.key === OBJECT_GRAPH_KEY) continue;
      // A partitioned tensor is cut into slices, so it is gathered whole; every other tensor keeps streaming.
      const t = partitions.has(arrived.key) && isChunked(arrived) ? await materialize(arrived) : arrived;
      if (order === 'input') await emit(t);
      else {
        held.set(t.key, t);
        if (wanted) await drain();
      }
    }
    if (order === 'key') {
      const enc = new TextEncoder();
      const sorted = [...held.values()].sort((a, b) => Buffer.compare(enc.encode(a.key), enc.encode(b.key)));
      for (const t of sorted) await emit(t);
    } else {
      // Tensors the list did not name, in input order; a partly written partitioned tensor gets its remaining slices.
      for (const t of held.values()) await emit(t);
    }
    if (opts.objectGraph) {
      await writer.write(makeStringTensor(OBJECT_GRAPH_KEY, [], [encodeTrackableObjectGraph(opts.objectGraph)]), { shard: 0 });
      count++;
    }
    await writer.finish();
    await set.commit();
  } catch (err) {
    await set.abort();
    throw err;
  }
  return { prefix, files, tensors: count };
}
