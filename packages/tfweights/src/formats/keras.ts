/**
 * Keras through @tfweights/keras: legacy HDF5 (`.h5`) and Keras 3 (`.weights.h5`, `.keras`).
 * Both HDF5 flavours share the HDF5 magic, so one detector opens any HDF5 file and the reader
 * says which layout it found; `.keras` zips are told apart from `.npz` by their members.
 *
 * Writers group tensors into layers by `tensor.layer` or `<layer>/<weight>` names. Layer
 * classes (which decide Keras 3 group keys) and a legacy model config come from the template
 * when there is one, else from a Keras input. The writers stream: each tensor is written to
 * the HDF5 file when it arrives, only names are kept for the name lists written at the end.
 * The Node entry (which starts h5wasm, ~600 MiB of address space) is loaded only when used.
 */
const node = () => import('@tfweights/keras/node');
import { keras3Format, kerasH5Format } from '@tfweights/keras/detect';
import type { FormatAdapter, PipelineWriter } from './adapter.js';
import { keras3WriterOptions, kerasAccepts, kerasH5WriterOptions, kerasWriter } from './keras-writing.js';

export { inKerasOrder, kerasLayout, kerasNamed, layerClasses } from './keras-writing.js';

export const kerasH5Adapter: FormatAdapter = {
  id: 'keras-h5',
  title: 'Keras legacy HDF5 (.h5)',
  extensions: ['.h5', '.hdf5'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && kerasH5Format.sniff(p.sniff),
  open: async (path, opts) => (await node()).openKeras(path, opts?.config !== undefined ? { config: opts.config } : {}),
  create: async (path, opts): Promise<PipelineWriter> => {
    const { createKerasH5Writer } = await node();
    return kerasWriter(async (layout) => createKerasH5Writer(path, {
      overwrite: opts.overwrite,
      ...kerasH5WriterOptions(opts),
      ...(opts.source ? { inputs: [opts.source.source] } : {}),
      ...(layout ? { layout } : {}),
    }), opts);
  },
  accepts: kerasAccepts('keras-h5'),
};

export const keras3Adapter: FormatAdapter = {
  id: 'keras3',
  title: 'Keras 3 (.weights.h5, .keras)',
  extensions: ['.weights.h5', '.keras'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && keras3Format.sniff(p.sniff),
  open: async (path, opts) => (await node()).openKeras(path, opts?.config !== undefined ? { config: opts.config } : {}),
  create: async (path, opts): Promise<PipelineWriter> => {
    const archive = path.toLowerCase().endsWith('.keras');
    const common = { overwrite: opts.overwrite, ...keras3WriterOptions(opts, archive), ...(opts.source ? { inputs: [opts.source.source] } : {}) };
    const k = await node();
    if (archive) return kerasWriter(async (layout) => k.createKerasArchiveWriter(path, { ...common, ...(layout ? { layout } : {}) }), opts);
    return kerasWriter(async (layout) => k.createKerasWeightsH5Writer(path, { ...common, ...(layout ? { layout } : {}) }), opts);
  },
  accepts: kerasAccepts('keras3'),
};
