/**
 * @tfweights/converter: the `tfweights` CLI as a library: run it in-process with `main`, or
 * use the pieces (format registry, conversion pipeline, diff, name mapping, statistics).
 */
export { main, errorLine, EXIT_OK, EXIT_DIFFERENT, EXIT_ERROR, type MainOptions } from './main.js';
export { processIo, memoryIo, type Io } from './io.js';
export { defaultRegistry, AdapterRegistry, type CreateOptions, type FormatAdapter, type PipelineWriter, type Probe } from './formats/index.js';
export { probePath } from './formats/probe.js';
export { convert, planConversion, plannedInfo, type ConvertOptions, type ConvertResult, type PlannedTensor } from './convert.js';
export { diffReaders, compareValues, pairUp, type DiffOptions, type DiffResult, type TensorDiff } from './diff.js';
export { normaliseName, readableName, matchForm, matchForms, bytesOf } from './mapping/normalise.js';
export { globToRegExp, makeFilter, type FilterOptions } from './mapping/glob.js';
export { parseRenameArgs, parseRuleText, rulesFromJson, applyRenames, type RenameRule } from './mapping/rename.js';
export { parseCasts, castTensor, castDtype, type CastMap } from './mapping/cast.js';
export { matchTemplate, templateReport, type TemplateMatch, type TemplatePair } from './mapping/template.js';
export { tensorStats, statsOf, histogram, renderHistogram, formatNumber, formatBytes, type TensorStats, type Histogram } from './stats.js';
export { findTensor, modelOrder } from './lookup.js';
