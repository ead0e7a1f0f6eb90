/**
 * Keras → TensorFlow.js layers models: topology translation, weight naming, conversion to a
 * model.json folder and a tfjs-core IOHandler that loads Keras files directly.
 * `browser.ts` is the subset without Node file access.
 */
export * from './browser.js';
export { openKerasInput, type KerasInput, type OpenKerasInputOptions } from './open-input.js';
export { fromKeras, type FromKerasOptions } from './from-keras.js';
export { convertKerasToTfjs, type ConvertKerasToTfjsOptions } from './convert.js';
