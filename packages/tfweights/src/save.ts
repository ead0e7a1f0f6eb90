/** `save()`: write tensors, an edited file or any reader in any writable format. */
import type { Tensor, TensorReader } from '@tfweights/core';
import { convertReader, type ConvertOptions, type ConvertResult } from './convert.js';
import { defaultRegistry } from './formats/index.js';
import { parseCasts } from './mapping/cast.js';
import { parseRenameArgs, type RenameRule } from './mapping/rename.js';
import { TensorSet } from './tensor-set.js';
import { WeightsFile } from './weights-file.js';

export interface SaveOptions {
  /** Output format id (`checkpoint`, `keras-h5`, `keras3`, `npz`, `npy`, `safetensors`, `tfjs`, `savedmodel`); default: from the path's extension. */
  format?: string;
  /** A file of the target structure (the Keras model the weights are for, a SavedModel …): tensors are matched to it by name, then by order and shape. */
  template?: string;
  /** Fail when the template match leaves anything unmatched. */
  strict?: boolean;
  /** Write a match that is not certain (template pairs by order and shape, Keras 3 paths the config does not pin down) instead of failing. */
  allowUncertainMatch?: boolean;
  /** Replace an existing output. */
  overwrite?: boolean;
  /** Leave out optimizer state and bookkeeping (slots, iteration counters, save_counter). */
  dropOptimizer?: boolean;
  /** Glob patterns on readable names / keys. */
  include?: string[];
  exclude?: string[];
  /** Rename rules: `old=new` regex strings or parsed rules. */
  renames?: (string | RenameRule)[];
  /** Casts such as `float16:float32`. */
  cast?: string[];
  /**
   * Format-specific writer choices, e.g. `{ style: 'tf1' }` for checkpoints, or
   * `{ kerasLayout: 'tf-keras-2' }` for a Keras input written as a checkpoint with tf.keras 2's
   * `layer_with_weights-<i>` object graph instead of the paths Keras 3 tracks (the default).
   */
  extra?: Record<string, string | boolean>;
  /** Receives the template match report and notes. */
  log?: (line: string) => void;
}

/**
 * Write weights. `data` is an open file (or one edited with `withValues`), any TensorReader,
 * or tensors made in code. Writes atomically; never writes over an input.
 *
 * @example
 * const model = await open('model.h5');
 * const kernel = await model.read('dense/kernel');
 * await save(model.withValues([mapValues(kernel, (v) => v * 0.8)]), 'scaled.h5');
 * await save(model, 'ckpt/model', { format: 'checkpoint' }); // TF2 checkpoint with object graph
 */
export async function save(data: TensorReader | Iterable<Tensor>, path: string, opts: SaveOptions = {}): Promise<ConvertResult> {
  const reader = data instanceof WeightsFile ? data.reader : isReader(data) ? data : new TensorSet(data);
  const strings = (opts.renames ?? []).filter((r): r is string => typeof r === 'string');
  const rules = [...(opts.renames ?? []).filter((r): r is RenameRule => typeof r !== 'string'), ...parseRenameArgs(strings)];
  const options: ConvertOptions = {
    ...(opts.format ? { to: opts.format } : {}),
    ...(opts.template ? { template: opts.template } : {}),
    ...(opts.strict ? { strict: true } : {}),
    ...(opts.allowUncertainMatch ? { allowUncertainMatch: true } : {}),
    ...(opts.overwrite ? { force: true } : {}),
    ...(opts.dropOptimizer ? { dropOptimizer: true } : {}),
    ...(opts.include ? { include: opts.include } : {}),
    ...(opts.exclude ? { exclude: opts.exclude } : {}),
    ...(rules.length > 0 ? { renames: rules } : {}),
    ...(opts.cast ? { casts: parseCasts(opts.cast) } : {}),
    ...(opts.extra ? { extra: opts.extra } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  };
  return convertReader(defaultRegistry(), reader, path, options);
}

function isReader(x: unknown): x is TensorReader {
  return typeof x === 'object' && x !== null && typeof (x as TensorReader).list === 'function' && typeof (x as TensorReader).read === 'function';
}
