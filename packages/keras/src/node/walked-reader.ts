/**
 * A KerasReader whose layout was listed in the budgeted worker (`h5-walk.ts`): `list()`,
 * `layers()` and `metadata` need no h5wasm on this thread; the first `read` opens the file here.
 */
import { statSync } from 'node:fs';
import { CorruptDataError } from '@tfweights/core';
import { H5Reader } from '../h5-file.js';
import { KerasReader, parseKerasLayout } from '../keras-reader.js';
import { h5BudgetMs, walkKerasH5 } from './h5-walk.js';
import { nodeH5Api } from './h5wasm-node.js';

/** Options of {@link openWalkedKerasH5}. */
export interface WalkedOptions {
  /** Name used in messages (defaults to the path). */
  name?: string;
  config?: unknown;
  metadata?: Record<string, unknown>;
  /** Removes a temporary copy: called by close(), or at once when opening fails. */
  onClose?: () => Promise<void> | void;
  /** Time budget of the metadata walk in ms (default: see `h5BudgetMs`). */
  budgetMs?: number;
}

/** Open the HDF5 file at the host path `path` as a KerasReader, its metadata walked within the budget. */
export async function openWalkedKerasH5(path: string, opts: WalkedOptions = {}): Promise<KerasReader> {
  const name = opts.name ?? path;
  let walked;
  try {
    const budgetMs = h5BudgetMs(statSync(path).size, opts.budgetMs);
    walked = await walkKerasH5(path, { name, budgetMs, ...(opts.config !== undefined ? { config: opts.config } : {}), ...(opts.metadata ? { metadata: opts.metadata } : {}) });
  } catch (err) {
    await opts.onClose?.();
    throw err;
  }
  const openHere = async (): Promise<H5Reader> => {
    const h5 = H5Reader.open(await nodeH5Api(), path, name);
    try {
      if (h5.fileSize !== walked.fileSize) {
        throw new CorruptDataError('the file changed after it was opened', { file: name, expected: `${walked.fileSize} bytes`, found: `${h5.fileSize} bytes` });
      }
      // This thread's libhdf5 walks the headers too before it reads data: reading damaged files
      // straight after opening them, without that walk, sent libhdf5 on this thread into a loop
      // in the fuzz campaign (mutant #4453 of seed 17), where walking first never did.
      parseKerasLayout(h5, { ...(opts.config !== undefined ? { config: opts.config } : {}), ...(opts.metadata ? { metadata: opts.metadata } : {}) });
      return h5;
    } catch (err) {
      h5.close();
      throw err;
    }
  };
  return KerasReader.fromLayout(walked.layout, name, openHere, opts.onClose);
}
