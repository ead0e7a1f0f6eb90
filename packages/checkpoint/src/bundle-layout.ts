/**
 * The storage layout of a bundle (shards, data order, partitioned tensors, header version),
 * taken from a reader so that a rewrite puts every tensor back where TF put it and an
 * unchanged rewrite is byte-identical (TF1 Saver(sharded=True) writes one shard per device;
 * partitioned variables are stored as slices, tensor_bundle.cc BundleWriter::AddSlice).
 */
import type { SliceExtent, VersionDef } from './bundle-proto.js';
import type { CheckpointEntry, CheckpointReader } from './reader.js';

/** How one tensor is stored in slices. */
export interface PartitionLayout {
  /** Extents of each slice, in the order the full entry lists them. */
  readonly slices: readonly (readonly SliceExtent[])[];
  /** Data shard of each slice (default: the writer picks). */
  readonly shards?: readonly number[];
}

/** Where each tensor of a bundle is stored. */
export interface BundleLayout {
  readonly numShards: number;
  readonly version: VersionDef;
  /** Data shard of each stored (non-partitioned) tensor, by key. */
  readonly shardOfKey: ReadonlyMap<string, number>;
  /** Keys of data-bearing entries by shard then offset; slices as `<full key>@<slice spec>`. */
  readonly dataOrder: readonly string[];
  /** Partitioned tensors, by full key. */
  readonly partitions: ReadonlyMap<string, PartitionLayout>;
}

/** The layout of the bundle `reader` reads. */
export function bundleLayoutOf(reader: CheckpointReader): BundleLayout {
  const entries = reader.entries();
  const shardOfKey = new Map<string, number>();
  const slicesOf = new Map<string, CheckpointEntry[]>();
  for (const e of entries) {
    if (e.sliceOf) {
      const list = slicesOf.get(e.sliceOf.key) ?? [];
      list.push(e);
      slicesOf.set(e.sliceOf.key, list);
    } else if (!e.slices) shardOfKey.set(e.key, e.shardId);
  }
  const partitions = new Map<string, PartitionLayout>();
  for (const e of entries) {
    if (!e.slices) continue;
    const slices = e.slices.map((s) => s.map((x) => ({ ...x })));
    const stored = slicesOf.get(e.key) ?? [];
    const shards = slices.map((ext) => stored.find((k) => sameExtents(k.sliceOf!.extents, ext))?.shardId ?? 0);
    partitions.set(e.key, { slices, shards });
  }
  const v = reader.header.version;
  return {
    numShards: reader.header.numShards,
    version: { producer: v.producer, minConsumer: v.minConsumer, badConsumers: [...v.badConsumers] },
    shardOfKey, dataOrder: reader.dataOrder(), partitions,
  };
}

function sameExtents(a: readonly SliceExtent[], b: readonly SliceExtent[]): boolean {
  return a.length === b.length && a.every((x, i) => x.start === b[i]!.start && x.length === b[i]!.length);
}
