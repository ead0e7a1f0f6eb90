/**
 * tfweights/cli (Node): the conversion pipeline, the format registry and the helpers the
 * `tfweights` CLI uses — and nothing else, so a command pays only for the codecs it opens.
 * Every codec (h5wasm, tfjs-core, protobuf, zip) is loaded by `import()` behind the registry's
 * adapters when a file of its format is opened or written; detection needs only sniffers.
 * The main `tfweights` entry re-exports all of this.
 *
 * @example
 * import { convert, defaultRegistry } from 'tfweights/cli';
 * await convert(defaultRegistry(), 'ckpt/model.ckpt', 'weights.npz');
 *
 * @packageDocumentation
 */
export { defaultRegistry, AdapterRegistry, type CreateOptions, type FormatAdapter, type OpenOptions, type PipelineWriter, type Probe } from './formats/index.js';
export { probePath } from './formats/probe.js';
export { convert, convertReader, planConversion, plannedInfo, type ConvertOptions, type ConvertResult, type PlannedTensor } from './convert.js';
export { parseRenameArgs, parseRuleText, rulesFromJson, applyRenames, type RenameRule } from './mapping/rename.js';
export { findTensor, modelOrder } from './lookup.js';
export { refusedEntries, type RefusedEntry } from './refused.js';
export { normaliseName, readableName, matchForm, matchForms, byteCountOf } from './mapping/normalise.js';
export { globToRegExp, makeFilter, type FilterOptions } from './mapping/glob.js';
export { parseCasts, castTensor, castDtype, type CastMap } from './mapping/cast.js';
export { diffReaders, compareValues, pairUp, type DiffOptions, type DiffResult, type TensorDiff } from './diff.js';
export { tensorStats, statsOf, histogram, renderHistogram, numericValues, formatNumber, formatBytes, StreamingStats, type TensorStats, type Histogram } from './stats.js';
