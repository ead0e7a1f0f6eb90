/**
 * SavedModel directories through @tfweights/savedmodel. Reading lists variables by their
 * SavedVariable names. Writing needs `--template DIR` (an existing SavedModel: its graph,
 * assets and variable layout are copied, the variable values replaced); the package's writer
 * takes every new value at once, so this output holds all converted tensors in memory.
 */
import { dirnameLocation as dirname } from '@tfweights/core/node';
import { InvalidArgumentError, type Tensor } from '@tfweights/core';
import { looksLikeSavedModelPb } from '@tfweights/savedmodel';
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
    const template = dirOf(opts.templatePath);
    const values = new Map<string, Tensor>();
    let aborted = false;
    return {
      async write(t) {
        values.set(t.key, t);
      },
      async finish() {
        if (aborted) return;
        await (await node()).writeSavedModel(template, out, values, { overwrite: opts.overwrite });
      },
      async abort() {
        aborted = true;
        values.clear();
      },
    };
  },
};
