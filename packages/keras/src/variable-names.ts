/**
 * Variable names of common Keras layers, in the order `save_own_variables` stores them
 * (keras-team/keras `keras/src/layers/**`: trainable then non-trainable, creation order).
 * Only used to give `layers/<key>/vars/<i>` readable names; unknown classes keep indices.
 */
import type { ConfigLayer } from './model-config.js';

const KERNEL_BIAS = ['kernel', 'bias'];
const RECURRENT = ['kernel', 'recurrent_kernel', 'bias'];

const BY_CLASS: Record<string, readonly string[]> = {
  Dense: KERNEL_BIAS, EinsumDense: KERNEL_BIAS,
  Conv1D: KERNEL_BIAS, Conv2D: KERNEL_BIAS, Conv3D: KERNEL_BIAS,
  Conv1DTranspose: KERNEL_BIAS, Conv2DTranspose: KERNEL_BIAS, Conv3DTranspose: KERNEL_BIAS,
  DepthwiseConv1D: KERNEL_BIAS, DepthwiseConv2D: KERNEL_BIAS,
  SeparableConv1D: ['depthwise_kernel', 'pointwise_kernel', 'bias'],
  SeparableConv2D: ['depthwise_kernel', 'pointwise_kernel', 'bias'],
  Embedding: ['embeddings'],
  PReLU: ['alpha'],
  // RNN layers keep their variables on the cell (`layers/<key>/cell/vars`).
  LSTMCell: RECURRENT, GRUCell: RECURRENT, SimpleRNNCell: RECURRENT,
  LSTM: RECURRENT, GRU: RECURRENT, SimpleRNN: RECURRENT,
};

/** Names for `count` stored variables of a layer, or undefined when not known. */
export function variableNames(layer: Pick<ConfigLayer, 'className' | 'config'>, count: number): readonly string[] | undefined {
  const cls = layer.className;
  let names: readonly string[] | undefined;
  if (cls === 'BatchNormalization' || cls === 'LayerNormalization') {
    const trainable = [...(layer.config.scale === false ? [] : ['gamma']), ...(layer.config.center === false ? [] : ['beta'])];
    names = cls === 'BatchNormalization' ? [...trainable, 'moving_mean', 'moving_variance'] : trainable;
  } else {
    names = BY_CLASS[cls];
  }
  if (!names) return undefined;
  // use_bias=False drops the trailing bias; any other count mismatch means we do not know.
  if (count === names.length) return names;
  if (count === names.length - 1 && names[names.length - 1] === 'bias') return names.slice(0, count);
  return undefined;
}

/** keras `utils/naming.py` `to_snake_case`: the key a layer gets in a saved container. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
