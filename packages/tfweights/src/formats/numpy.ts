/**
 * NumPy through @tfweights/npy: `.npy` (one tensor), `.npz`, and a folder of `.npy` files with
 * an `index.json` (written by `--to npy`, or OUT ending in `/`). Tensors are named by their
 * readable names; the folder index maps names to safe file names.
 */
import { InvalidArgumentError } from '@tfweights/core';
// Static: the CLI's start-up loads the node core anyway, and import() of it cost a chunk of its own.
import { statLocation } from '@tfweights/core/node';
import { NPY_FOLDER_INDEX, npyFormat, npzFormat } from '@tfweights/npy/detect';
import type { CreateOptions, FormatAdapter, PipelineWriter } from './adapter.js';
import { bfloat16Policy } from './dtype-support.js';

const node = () => import('@tfweights/npy/node');

/** A `.npy` file holds exactly one tensor (taken whole or in chunks; committed at finish). */
async function singleNpyWriter(path: string, overwrite: boolean, bfloat16: 'raw' | 'refuse'): Promise<PipelineWriter> {
  return (await node()).createNpyWriter(path, { overwrite, bfloat16 });
}

/**
 * What the writer does with a bfloat16 tensor that reaches it: by default the plan has already
 * widened it to float32 (dtype-support.ts), so only `--bfloat16 raw` (store `|V2`) or
 * `--bfloat16 refuse` (stop) get here.
 */
function rawOrRefuse(opts: Pick<CreateOptions, 'extra'>): 'raw' | 'refuse' {
  return bfloat16Policy(opts.extra) === 'raw' ? 'raw' : 'refuse';
}

export const npyAdapter: FormatAdapter = {
  id: 'npy',
  title: 'NumPy .npy (one file, or a folder of them with index.json)',
  extensions: ['.npy', '/'],
  detect: (p) => (p.kind === 'file' && p.sniff !== undefined && npyFormat.sniff(p.sniff)) ||
    (p.kind === 'directory' && (p.entries ?? []).includes(NPY_FOLDER_INDEX) && !(p.entries ?? []).includes('saved_model.pb')),
  open: async (path) => {
    const n = await node();
    return (await statLocation(path, { children: [NPY_FOLDER_INDEX] })).kind === 'directory' ? n.openNpyFolder(path) : n.openNpy(path);
  },
  create: async (path, opts) => {
    if (path.toLowerCase().endsWith('.npy')) {
      if (opts.plan.length !== 1) {
        throw new InvalidArgumentError(`a .npy file holds one tensor, this conversion has ${opts.plan.length}; write a folder (--to npy with a folder name) or pick one with --include`, { file: path });
      }
      return singleNpyWriter(path, opts.overwrite, rawOrRefuse(opts));
    }
    return (await node()).createNpyFolderWriter(path.replace(/\/+$/, ''), { overwrite: opts.overwrite, bfloat16: rawOrRefuse(opts) });
  },
};

export const npzAdapter: FormatAdapter = {
  id: 'npz',
  title: 'NumPy .npz',
  extensions: ['.npz'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && npzFormat.sniff(p.sniff),
  open: async (path) => (await node()).openNpz(path),
  create: async (path, opts) => (await node()).createNpzWriter(path, { overwrite: opts.overwrite, bfloat16: rawOrRefuse(opts) }),
};
