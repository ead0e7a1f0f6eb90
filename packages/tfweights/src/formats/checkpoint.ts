/**
 * TensorFlow checkpoints through @tfweights/checkpoint. Input: a prefix (`model.ckpt`), its
 * `.index`, a `.data-*` shard, or a directory with a `checkpoint` state file. Output: a prefix,
 * written by `writeCheckpoint` the way `checkpoint-plan.ts` decides (browser-safe, shared with
 * the web app): `tf1` readable keys, `tf2` with an object graph (Keras 3's tracked paths for a
 * Keras input), `keep` for a checkpoint input with keys kept (shards, data order, slices,
 * header version and object graph copied, so an unchanged conversion is byte-identical), or a
 * template checkpoint's keys under its graph.
 */
import { basenameRemote, isRemoteLocation } from '@tfweights/core';
import { checkpointFormat } from '@tfweights/checkpoint/detect';
import type { CreateOptions, FormatAdapter, PipelineWriter, Probe } from './adapter.js';
import { checkpointTensors, checkpointWritePlan } from './checkpoint-plan.js';
import { pushToPull } from './push-pull.js';

export { kerasObjectPaths, type KerasObjectLayout } from './checkpoint-plan.js';

const node = () => import('@tfweights/checkpoint/node');

const DATA_FILE = /\.data-\d{5}-of-\d{5}$/;

/** The file name of a path or URL (an hf revision or a URL query may follow it in the location). */
const fileName = (path: string) => (isRemoteLocation(path) ? basenameRemote(path) : path.replace(/^.*[\\/]/, ''));

function detect(p: Probe): boolean {
  if (p.kind === 'file') {
    if (p.sniff && checkpointFormat.sniff(p.sniff)) return true;
    return DATA_FILE.test(fileName(p.path)) || fileName(p.path) === 'checkpoint';
  }
  if (p.kind === 'missing') return (p.siblings ?? []).includes(`${fileName(p.path)}.index`);
  const entries = p.entries ?? [];
  return !entries.includes('saved_model.pb') && (entries.includes('checkpoint') || entries.some((e) => e.endsWith('.index')));
}

/** A checkpoint prefix for OUT: `x.index` and `x.ckpt.index` mean `x` / `x.ckpt`. */
export function prefixOf(out: string): string {
  return out.replace(/\.index$/, '').replace(/\/+$/, '');
}

/** Write the checkpoint at OUT's prefix the way {@link checkpointWritePlan} decides. */
async function create(out: string, opts: CreateOptions): Promise<PipelineWriter> {
  const prefix = prefixOf(out);
  const plan = await checkpointWritePlan(opts);
  return pushToPull(async (input) => (await node()).writeCheckpoint(prefix, checkpointTensors(plan, input), {
    overwrite: opts.overwrite, ...plan.layout, ...(plan.objectGraph ? { objectGraph: plan.objectGraph } : {}),
  }), prefix);
}

export const checkpointAdapter: FormatAdapter = {
  id: 'checkpoint',
  title: 'TensorFlow checkpoint',
  extensions: ['.ckpt', '.index'],
  namedByPrefix: true,
  detect,
  open: async (path) => (await node()).openCheckpoint(path),
  create,
};
