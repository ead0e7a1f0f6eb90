/** Test helpers: bundles in memory, fixture bundle prefixes. */
import { readFileSync } from 'node:fs';
import { MemorySink, MemorySource, type Tensor } from '@tfweights/core';
import { BundleWriter, openBundle, type BundleWriterOptions, type CheckpointReader, type OpenBundleOptions } from '../src/index.js';

export interface MemoryBundle {
  index: Uint8Array;
  shards: Uint8Array[];
}

/** Write tensors (optionally with a shard each) into memory. */
export async function writeMemoryBundle(
  tensors: readonly (Tensor | { tensor: Tensor; shard: number })[], numShards = 1, opts: BundleWriterOptions = {},
  extra?: (w: BundleWriter) => Promise<void>,
): Promise<MemoryBundle> {
  const index = new MemorySink('mem.index');
  const shards = Array.from({ length: numShards }, (_, i) => new MemorySink(`mem.data-${i}`));
  const w = new BundleWriter(index, shards, opts);
  for (const t of tensors) {
    if ('tensor' in t) await w.write(t.tensor, { shard: t.shard });
    else await w.write(t);
  }
  if (extra) await extra(w);
  await w.finish();
  return { index: index.bytes(), shards: shards.map((s) => s.bytes()) };
}

/** Open an in-memory bundle. */
export function openMemoryBundle(b: MemoryBundle, opts: OpenBundleOptions = {}): Promise<CheckpointReader> {
  return openBundle(new MemorySource(b.index, 'mem.index'), async (id) => {
    const s = b.shards[id];
    if (!s) throw new Error(`no shard ${id}`);
    return new MemorySource(s, `mem.data-${id}`);
  }, opts);
}

/** Read a fixture bundle's files into memory. */
export function loadBundleFiles(prefix: string, numShards: number): MemoryBundle {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return {
    index: new Uint8Array(readFileSync(`${prefix}.index`)),
    shards: Array.from({ length: numShards }, (_, i) => new Uint8Array(readFileSync(`${prefix}.data-${pad(i)}-of-${pad(numShards)}`))),
  };
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
