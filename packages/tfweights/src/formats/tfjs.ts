/**
 * TensorFlow.js models through @tfweights/tfjs/node: `model.json` (or a folder holding one)
 * plus its weight shards. Output: a folder, or a path ending in `.json` naming the model file.
 * The writer plans shards from the conversion plan, so data streams into the shards.
 */
import { basenameLocation as basename, dirnameLocation as dirname, joinLocation as join } from '@tfweights/core/node';
import { dtypeInfo, UnsupportedDtypeError } from '@tfweights/core';
import { tfjsFormat } from '@tfweights/tfjs/detect';
import type { TensorReader } from '@tfweights/core';
import type { FormatAdapter } from './adapter.js';

/**
 * From a Keras file (or with a Keras template) whose model config tfjs-layers can load, the
 * output is a layers-model carrying that topology, so `tf.loadLayersModel` loads it; any other
 * input (or a config with layers tfjs lacks) gives the weights only.
 */
async function layersModel(...readers: (TensorReader | undefined)[]): Promise<Record<string, unknown>> {
  // The Keras → tfjs translation is loaded only when a tfjs output is written.
  const { generatedByOf } = await import('../keras-tfjs/artifacts.js');
  const { kerasTopologyForTfjs } = await import('../keras-tfjs/topology.js');
  const { TFWEIGHTS_VERSION } = await import('../keras-tfjs/version.js');
  for (const r of readers) {
    if ((r?.format !== 'keras-h5' && r?.format !== 'keras3') || r.metadata?.model_config === undefined) continue;
    try {
      const topology = kerasTopologyForTfjs(r.metadata);
      return { modelTopology: topology, format: 'layers-model', generatedBy: generatedByOf(topology), convertedBy: `tfweights ${TFWEIGHTS_VERSION}` };
    } catch {
      return {};
    }
  }
  return {};
}

const node = () => import('@tfweights/tfjs/node');

export const tfjsAdapter: FormatAdapter = {
  id: 'tfjs',
  title: 'TensorFlow.js model (model.json + shards)',
  extensions: ['model.json'],
  detect: (p) => (p.kind === 'file' && p.sniff !== undefined && tfjsFormat.sniff(p.sniff)) ||
    (p.kind === 'directory' && (p.entries ?? []).includes('model.json') && !(p.entries ?? []).includes('saved_model.pb')),
  open: async (path) => {
    const file = /\.json$/i.test(basename(path)) ? path : join(path, 'model.json'); // basename: an hf @rev may follow
    return (await node()).openTfjsModel(file);
  },
  create: async (out, opts) => {
    // tfjs stores float32, int32, bool, complex64 and string only (dtypeInfo().tfjs); say which option helps.
    const bad = opts.plan.find((t) => dtypeInfo(t.dtype).tfjs === undefined);
    if (bad) {
      const to = dtypeInfo(bad.dtype).kind === 'float' ? 'float32' : 'int32';
      throw new UnsupportedDtypeError(`TF.js cannot store ${bad.dtype} (tensor '${bad.name}'); pass --cast ${bad.dtype}:${to}, or leave it out (--exclude, --drop-optimizer)`, { file: out });
    }
    const json = /\.json$/i.test(out);
    const dir = json ? dirname(out) : out;
    return (await node()).createTfjsWriter(dir, opts.plan, {
      overwrite: opts.overwrite, ...(json ? { modelJsonName: basename(out) } : {}), ...(await layersModel(opts.template, opts.source)),
    });
  },
};
