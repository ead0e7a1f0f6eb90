/** What both entries of `tfweights` export (browser-safe). */
export * from '@tfweights/core';
export * as checkpoint from '@tfweights/checkpoint';
export * as keras from '@tfweights/keras';
export * as npy from '@tfweights/npy';
export * as safetensors from '@tfweights/safetensors';
export * as savedmodel from '@tfweights/savedmodel';
// The codec only: the tfjs-core bridge (toTfTensor, getWeights …) is `tfweights/tfjs`, so this
// entry neither loads nor names @tensorflow/tfjs-core (an optional peer).
export * as tfjs from '@tfweights/tfjs/codec';
export { layersOf, readerIOHandler } from '@tfweights/tfjs/codec';
export { TensorSet, OverlayReader, type TensorSetOptions } from './tensor-set.js';
export { WeightsFile } from './weights-file.js';
export { openSource, asSource } from './open-source.js';
export { findTensor, modelOrder } from './lookup.js';
export { refusedEntries, type RefusedEntry } from './refused.js';
export { normaliseName, readableName, matchForm, matchForms, byteCountOf } from './mapping/normalise.js';
export { globToRegExp, makeFilter, type FilterOptions } from './mapping/glob.js';
export { parseCasts, castTensor, castDtype, type CastMap } from './mapping/cast.js';
export { matchTemplate, templateReport, type TemplateMatch, type TemplatePair } from './mapping/template.js';
export { planConversion, plannedInfo, streamPlan, type ConvertOptions, type PlannedTensor } from './pipeline.js';
export type { CreateOptions, FormatAdapter, PipelineWriter } from './formats/adapter.js';
// How the CLI's Keras and checkpoint writers decide names, layouts and object graphs, for
// writers over sinks (the web app) that must write what the CLI writes.
export { kerasWriter, kerasAccepts, kerasH5WriterOptions, keras3WriterOptions } from './formats/keras-writing.js';
export { checkpointWritePlan, checkpointTensors, storedKey, type CheckpointWritePlan, type CheckpointLayoutOptions } from './formats/checkpoint-plan.js';
export { diffReaders, compareValues, pairUp, type DiffOptions, type DiffResult, type TensorDiff } from './diff.js';
export { tensorStats, statsOf, histogram, renderHistogram, numericValues, formatNumber, formatBytes, StreamingStats, type TensorStats, type Histogram } from './stats.js';
export * from './keras-tfjs/browser.js';
