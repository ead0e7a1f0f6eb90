/**
 * @tfweights/tfjs: TensorFlow.js model.json + weight shards (read lazily, write sharded and
 * atomically), and the bridge to @tensorflow/tfjs-core tensors. Browser-safe: files by path
 * live in `@tfweights/tfjs/node`. `@tfweights/tfjs/codec` is the same without tfjs-core.
 */
export * from './codec.js';
export {
  toTfTensor, fromTfTensor, getWeights, layersOf, EditableWeights, type ToTfOptions, type FromTfOptions,
} from './bridge.js';
