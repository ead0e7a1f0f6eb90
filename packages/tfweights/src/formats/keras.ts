/**
 * Keras through @tfweights/keras: legacy HDF5 (`.h5`) and Keras 3 (`.weights.h5`, `.keras`).
 * Both HDF5 flavours share the HDF5 magic, so one detector opens any HDF5 file and the reader
 * says which layout it found; `.keras` zips are told apart from `.npz` by their members.
 *
 * Writers group tensors into layers by `tensor.layer` or `<layer>/<weight>` names. Layer
 * classes (which decide Keras 3 group keys) and a legacy model config come from the template
 * when there is one, else from a Keras input. The package's writers keep every tensor until
 * finish (h5wasm writes whole files), so these outputs hold the converted weights in memory.
 * The Node entry (which starts h5wasm, ~600 MiB of address space) is loaded only when used.
 */
const node = () => import('@tfweights/keras/node');
import type { TensorReader } from '@tfweights/core';
import { keras3Format, kerasH5Format } from '@tfweights/keras';
import type { CreateOptions, FormatAdapter, PipelineWriter } from './adapter.js';

/** Layer name → class name, from the template first, then the input. */
export function layerClasses(...readers: (TensorReader | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of [...readers].reverse()) {
    for (const l of r?.layers?.() ?? []) if (l.className) out[l.name] = l.className;
  }
  return out;
}

/** The legacy `model_config` (and the Keras version that wrote it): the template's, else a legacy-h5 input's. */
function legacyConfig(opts: CreateOptions): { modelConfig?: unknown; trainingConfig?: unknown; kerasVersion?: string } {
  const from = [opts.template, opts.source].find((r) => r?.format === 'keras-h5' && r.metadata?.model_config !== undefined);
  if (!from) return {};
  const md = from.metadata!;
  return {
    modelConfig: md.model_config,
    ...(md.training_config !== undefined ? { trainingConfig: md.training_config } : {}),
    ...(typeof md.keras_version === 'string' ? { kerasVersion: md.keras_version } : {}),
  };
}

/**
 * Keras groups weights by layer; a tensor named without a layer (a SavedModel variable `a`, a
 * TF1 `global_step`) becomes a layer of its own name, as Keras would store a lone variable.
 */
function ownLayers(w: PipelineWriter): PipelineWriter {
  return {
    write: (t) => w.write(!t.layer && t.role !== 'optimizer' && !t.name.includes('/') ? { ...t, layer: t.name } : t),
    finish: () => w.finish(),
    abort: () => w.abort(),
  };
}

export const kerasH5Adapter: FormatAdapter = {
  id: 'keras-h5',
  title: 'Keras legacy HDF5 (.h5)',
  extensions: ['.h5', '.hdf5'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && kerasH5Format.sniff(p.sniff),
  open: async (path) => (await node()).openKeras(path),
  create: async (path, opts): Promise<PipelineWriter> => ownLayers((await node()).createKerasH5Writer(path, {
    overwrite: opts.overwrite,
    classes: layerClasses(opts.template, opts.source),
    ...legacyConfig(opts),
    ...(opts.source ? { inputs: [opts.source.source] } : {}),
  })),
};

export const keras3Adapter: FormatAdapter = {
  id: 'keras3',
  title: 'Keras 3 (.weights.h5, .keras)',
  extensions: ['.weights.h5', '.keras'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && keras3Format.sniff(p.sniff),
  open: async (path) => (await node()).openKeras(path),
  create: async (path, opts): Promise<PipelineWriter> => {
    const common = { overwrite: opts.overwrite, classes: layerClasses(opts.template, opts.source), ...(opts.source ? { inputs: [opts.source.source] } : {}) };
    if (path.toLowerCase().endsWith('.keras')) {
      const cfg = [opts.template, opts.source].find((r) => r?.format === 'keras3' && r.metadata?.model_config !== undefined)?.metadata?.model_config;
      return ownLayers((await node()).createKerasArchiveWriter(path, { ...common, ...(cfg !== undefined ? { config: cfg } : {}) }));
    }
    return ownLayers((await node()).createKerasWeightsH5Writer(path, common));
  },
};
