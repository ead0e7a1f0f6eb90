/**
 * Open any Keras weights file from a path: legacy `.h5`, Keras 3 `.weights.h5` or a `.keras`
 * zip. What the file is comes from its bytes; a misnamed file gets an error saying what it is.
 */
import {
  describeContent, InvalidArgumentError, IoError, isRemoteLocation, isTfwError, MAGIC, NotThisFormatError, parseJsonWithLimits, sniffInputOf, startsWith,
} from '@tfweights/core';
import { openLocation, readLocation } from '@tfweights/core/node';
import type { KerasReader } from '../keras-reader.js';
import { openWalkedKerasH5 } from './walked-reader.js';
import { openKerasArchive } from './archive.js';
import { checkNotTruncated } from './superblock.js';
import { localCopy } from './remote-copy.js';

/** Options of {@link openKeras} and {@link openKerasH5}. */
export interface OpenKerasOptions {
  /**
   * The model's config: a path to a JSON file (Keras 3 `model.to_json()` / `config.json`, a
   * Keras 2 `model.to_json()`, or a tfjs `model.json` whose `modelTopology` holds one), JSON
   * text, or the parsed object. Nothing is looked up implicitly. A standalone Keras 3
   * `.weights.h5` holds no config, so without this option its layers come in group-key order
   * (`metadata.layer_order === 'keys'`), not model order, and have no classes; with it they
   * come in model order with classes, variable names and nested structure. For a `.keras` it
   * replaces `config.json`; for a legacy `.h5` it only fills in a missing `model_config`.
   */
  config?: string | object;
  /**
   * Time budget in milliseconds for libhdf5's walk of the file's metadata (default
   * `$TFW_H5_BUDGET_MS`, else 20 s + 10 s per GiB of file). The walk runs in a worker thread;
   * past the budget it is stopped and a LimitExceededError names the file.
   */
  h5BudgetMs?: number;
}

/**
 * Open a Keras weights file. Throws NotThisFormatError (saying what the file really is) for
 * anything that is neither HDF5 nor a `.keras` zip, CorruptDataError for truncated files.
 */
export async function openKeras(path: string, opts: OpenKerasOptions = {}): Promise<KerasReader> {
  return openChecked(path, true, opts);
}

/**
 * Open a Keras HDF5 file (`.h5`, `.weights.h5`) only: a `.keras` zip (renamed or not) is refused
 * with an error saying so.
 */
export async function openKerasH5(path: string, opts: OpenKerasOptions = {}): Promise<KerasReader> {
  return openChecked(path, false, opts);
}

/** The model config of {@link OpenKerasOptions.config}, parsed; tfjs `model.json` unwrapped. */
export async function loadModelConfig(config: string | object | undefined): Promise<unknown> {
  if (config === undefined || typeof config === 'object') return unwrap(config);
  const isText = /^\s*[{[]/.test(config);
  let text = config;
  if (!isText) {
    try {
      text = new TextDecoder().decode(await readLocation(config, 256 * 1024 * 1024));
    } catch (cause) {
      throw new IoError(`cannot read the model config: ${(cause as Error).message}`, { file: config, cause });
    }
  }
  let parsed: unknown;
  try {
    parsed = parseJsonWithLimits(text, { what: 'the model config', ...(isText ? {} : { file: config }) });
  } catch (cause) {
    if (isTfwError(cause) && cause.code === 'LimitExceeded') throw cause;
    throw new InvalidArgumentError('the model config is not valid JSON', { ...(isText ? {} : { file: config }), cause });
  }
  return unwrap(parsed as object);
}

function unwrap(v: object | undefined): unknown {
  const topology = (v as { modelTopology?: { model_config?: unknown } } | undefined)?.modelTopology;
  return topology ? (topology.model_config ?? topology) : v;
}

function budgeted(opts: OpenKerasOptions, config: unknown): { config?: unknown; budgetMs?: number } {
  return { ...(config !== undefined ? { config } : {}), ...(opts.h5BudgetMs !== undefined ? { budgetMs: opts.h5BudgetMs } : {}) };
}

async function openChecked(path: string, allowZip: boolean, opts: OpenKerasOptions): Promise<KerasReader> {
  const config = await loadModelConfig(opts.config);
  const source = await openLocation(path);
  let input;
  try {
    input = await sniffInputOf(source);
    if (startsWith(input.head, MAGIC.hdf5) && isRemoteLocation(path)) {
      checkNotTruncated(input.head, input.size, path);
      const copy = await localCopy(source);
      return openWalkedKerasH5(copy.path, { name: path, onClose: copy.remove, ...budgeted(opts, config) });
    }
  } finally {
    await source.close?.();
  }
  if (startsWith(input.head, MAGIC.hdf5)) {
    checkNotTruncated(input.head, input.size, path);
    return openWalkedKerasH5(path, budgeted(opts, config));
  }
  if (allowZip && (startsWith(input.head, MAGIC.zipLocal) || startsWith(input.head, MAGIC.zipEmpty))) {
    return openKerasArchive(path, budgeted(opts, config));
  }
  throw new NotThisFormatError(`not a Keras HDF5 file: this is ${describeContent(input)}`, {
    file: path, expected: allowZip ? 'an HDF5 file (.h5, .weights.h5) or a .keras zip' : 'an HDF5 file (.h5, .weights.h5); open .keras archives with openKeras',
  });
}
