/**
 * `tfweights/tfjs`: the bridge to @tensorflow/tfjs-core tensors (install `@tensorflow/tfjs-core`
 * and a backend, e.g. `@tensorflow/tfjs-backend-cpu`, to use it). Kept out of the main entry so
 * reading and writing files never needs tfjs.
 *
 * @example
 * import { open } from 'tfweights';
 * import { getWeights } from 'tfweights/tfjs';
 * const [kernel, bias] = await getWeights(await open('model.h5'), 'dense');
 *
 * @packageDocumentation
 */
export { toTfTensor, fromTfTensor, getWeights, EditableWeights, type ToTfOptions, type FromTfOptions } from '@tfweights/tfjs';
