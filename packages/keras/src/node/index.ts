/** Node entry: open Keras files by path and write them atomically. */
export { openKeras, openKerasH5, loadModelConfig, type OpenKerasOptions } from './open.js';
export { openKerasArchive, readArchiveJson, type KerasArchiveJson } from './archive.js';
export { nodeH5Api } from './h5wasm-node.js';
export { openWalkedKerasH5, type WalkedOptions } from './walked-reader.js';
export { h5BudgetMs, H5_BUDGET_BASE_MS, H5_BUDGET_PER_GIB_MS, H5_BUDGET_ENV } from './h5-walk.js';
export { checkNotTruncated } from './superblock.js';
export {
  writeKerasH5, writeKerasWeightsH5, writeKerasArchive, createKerasH5Writer, createKerasWeightsH5Writer, createKerasArchiveWriter,
  type WriteOptions, type ArchiveOptions, type AdapterOptions,
} from './write.js';
export type { KerasLayout, KerasLayoutLayer, KerasLayoutWeight } from '../write-layout.js';
