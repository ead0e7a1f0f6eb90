/**
 * Writing a checkpoint to `<prefix>.index` + `<prefix>.data-*` atomically: every file is
 * written under a temporary name and all are renamed only once all are complete.
 */
import { InvalidArgumentError, type ByteSink, type Tensor } from '@tfweights/core';
import { AtomicFileSet, type AtomicOptions } from '@tfweights/core/node';
import { encodeTrackableObjectGraph, type TrackableObjectGraph } from '../object-graph-proto.js';
import { OBJECT_GRAPH_KEY } from '../key-names.js';
import { dataFileName, indexFileName } from '../naming-files.js';
import { BundleWriter, type BundleWriterOptions } from '../writer.js';
import { makeStringTensor } from '@tfweights/core';

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
    finish: async () => undefined,
    abort: () => s.abort(),
  };
}

/** Write tensors as a bundle at `prefix`. */
export async function writeCheckpoint(
  prefix: string, tensors: Iterable<Tensor> | AsyncIterable<Tensor>, opts: WriteCheckpointOptions = {},
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
    const held = new Map<string, Tensor>();
    const wanted = Array.isArray(order) ? (order as readonly string[]) : undefined;
    let next = 0;
    const emit = async (t: Tensor): Promise<void> => {
      await writer.write(t);
      count++;
    };
    for await (const t of tensors) {
      if (opts.objectGraph && t.key === OBJECT_GRAPH_KEY) continue;
      if (order === 'input') await emit(t);
      else if (order === 'key') held.set(t.key, t);
      else {
        held.set(t.key, t);
        while (next < wanted!.length && held.has(wanted![next]!)) {
          const k = wanted![next++]!;
          await emit(held.get(k)!);
          held.delete(k);
        }
      }
    }
    if (order === 'key') {
      const enc = new TextEncoder();
      const sorted = [...held.values()].sort((a, b) => Buffer.compare(enc.encode(a.key), enc.encode(b.key)));
      for (const t of sorted) await emit(t);
    } else {
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
