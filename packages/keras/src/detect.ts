/**
 * What a format registry needs without loading h5wasm: the HDF5 / `.keras` sniffers and the
 * tensor → layer placement the writers use. Import as `@tfweights/keras/detect`.
 */
export { kerasH5Format, keras3Format } from './formats.js';
export { placeOfTensor, type TensorPlace } from './writer-input.js';
export type { KerasLayout, KerasLayoutWeight } from './write-layout.js';
