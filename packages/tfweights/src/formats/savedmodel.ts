/**
 * SavedModel directories through @tfweights/savedmodel. Reading lists variables by their
 * SavedVariable names. Writing needs `--template DIR` (an existing SavedModel: its graph,
 * assets and variable layout are copied, the variable values replaced). The writer takes the
 * values one at a time in the template's data order (its `order`), in chunks where they stream.
 */
import { dirnameLocation as dirname } from '@tfweights/core/node';
import { InvalidArgumentError } from '@tfweights/core';
import { looksLikeSavedModelPb } from '@tfweights/savedmodel/detect';
import type { FormatAdapter } from './adapter.js';

const node = () => import('@tfweights/savedmodel/node');
const dirOf = (path: string) => (/(^|\/)saved_model\.pb$/.test(path) ? dirname(path) : path);

export const savedModelAdapter: FormatAdapter = {
  id: 'savedmodel',
  title: 'TensorFlow SavedModel',
  extensions: [],
  needsTemplate: true,
  detect: (p) => (p.kind === 'directory' && (p.entries ?? []).includes('saved_model.pb')) ||
    (p.kind === 'file' && p.sniff !== undefined && /(^|\/)saved_model\.pb$/.test(p.path) && looksLikeSavedModelPb(p.sniff)),
  open: async (path) => (await node()).openSavedModel(dirOf(path)),
  async create(out, opts) {
    if (!opts.templatePath) throw new InvalidArgumentError('writing a SavedModel needs --template DIR', { file: out });
    const w = await (await node()).createSavedModelWriter(dirOf(opts.templatePath), out, { overwrite: opts.overwrite, expect: opts.plan.map((t) => t.key) });
    return {
      order: w.order,
      write: (t) => w.write(t),
      writeChunked: (t) => w.writeChunked(t),
      async finish() {
        await w.finish();
      },
      abort: () => w.abort(),
    };
  },
};
