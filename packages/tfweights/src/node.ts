/**
 * tfweights (Node entry): everything of the browser entry, plus `open()` and `save()` on
 * paths with format detection, the conversion pipeline the `tfweights` CLI runs, and
 * Keras → tfjs conversion from files.
 *
 * @example
 * import { open, save, mapValues } from 'tfweights';
 * const model = await open('model.h5');
 * const kernel = await model.read('dense/kernel');
 * await save(model.withValues([mapValues(kernel, (v) => v * 0.8)]), 'edited.h5');
 *
 * @packageDocumentation
 */
export * from './common.js';
export { open } from './open.js';
export { save, type SaveOptions } from './save.js';
export { defaultRegistry, AdapterRegistry, type CreateOptions, type FormatAdapter, type OpenOptions, type PipelineWriter, type Probe } from './formats/index.js';
export { probePath } from './formats/probe.js';
export { convert, convertReader, type ConvertResult } from './convert.js';
export { parseRenameArgs, parseRuleText, rulesFromJson, applyRenames, type RenameRule } from './mapping/rename.js';
export { releaseMemory } from './release-memory.js';
export { openKerasInput, fromKeras, convertKerasToTfjs, type KerasInput, type OpenKerasInputOptions, type FromKerasOptions, type ConvertKerasToTfjsOptions } from './keras-tfjs/index.js';
