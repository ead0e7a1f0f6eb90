/**
 * A KerasReader over a file opened in the budgeted libhdf5 worker (`h5-walk.ts`): `list()`,
 * `layers()` and `metadata` come from the worker's walk, and tensor data is read there too,
 * so no libhdf5 call on an untrusted file runs on this thread.
 */
import { statSync } from 'node:fs';
import { KerasReader } from '../keras-reader.js';
import { h5BudgetMs, openInWorker } from './h5-walk.js';

/** Options of {@link openWalkedKerasH5}. */
export interface WalkedOptions {
  /** Name used in messages (defaults to the path). */
  name?: string;
  config?: unknown;
  metadata?: Record<string, unknown>;
  /** Removes a temporary copy: called by close(), or at once when opening fails. */
  onClose?: () => Promise<void> | void;
  /** Time budget of each libhdf5 call in ms (default: see `h5BudgetMs`). */
  budgetMs?: number;
}

/** Open the HDF5 file at the host path `path` as a KerasReader, every libhdf5 call in the worker within the budget. */
export async function openWalkedKerasH5(path: string, opts: WalkedOptions = {}): Promise<KerasReader> {
  const name = opts.name ?? path;
  let opened;
  try {
    const budgetMs = h5BudgetMs(statSync(path).size, opts.budgetMs);
    opened = await openInWorker(path, { name, budgetMs, ...(opts.config !== undefined ? { config: opts.config } : {}), ...(opts.metadata ? { metadata: opts.metadata } : {}) });
  } catch (err) {
    await opts.onClose?.();
    throw err;
  }
  return KerasReader.fromLayout(opened.layout, name, opened.data, opts.onClose);
}
