/**
 * One Keras 3 layer config → the Keras 2 config tfjs-layers 4.22 deserializes. Only classes
 * listed in KERAS3_LAYER_CLASSES are translated; anything else is refused naming the class.
 *
 * Keras 3 field names: keras/src/layers/** get_config(); Keras 2 names as tfjs-layers reads them
 * (tfjs-layers/src/layers/*.ts, snake_case converted by convertPythonicToTs).
 */
import { InvalidArgumentError } from '@tfweights/core';
import { activationName, isObject, kerasObject, policyDtype, type Json } from './keras3-objects.js';

/** Layer classes translated from Keras 3 (tfjs-layers has each under the same name). */
export const KERAS3_LAYER_CLASSES: ReadonlySet<string> = new Set([
  'InputLayer', 'Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D',
  'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D',
  'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout',
  'BatchNormalization', 'LayerNormalization', 'Embedding', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'PReLU',
  'Add', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'ZeroPadding2D', 'UpSampling2D', 'Cropping2D', 'Rescaling',
]);

/** Keras 3 config keys with no tfjs-layers counterpart that are harmless at their default. */
const DROPPED_AT_DEFAULT: Record<string, unknown> = {
  quantization_config: null, lora_rank: null, lora_alpha: null, lora_enabled: false, synchronized: false,
  optional: false, ragged: false, groups: 1, rms_scaling: false, renorm: false,
};
/** Keys dropped whatever their value (only meaningful when a dropped feature is on, checked above). */
const DROPPED_ALWAYS = new Set(['shared_object_id', 'renorm_clipping', 'renorm_momentum', 'input_tensor']);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Translate the `config` of one Keras 3 layer of class `className`. `where` names the layer in
 * errors. Throws InvalidArgumentError for a class or a setting tfjs-layers cannot represent.
 */
export function translateLayerConfig(className: string, config: Json, where: string): Json {
  if (!KERAS3_LAYER_CLASSES.has(className)) {
    throw new InvalidArgumentError(`${where}: layer class '${className}' cannot be translated for tfjs-layers`, {
      expected: [...KERAS3_LAYER_CLASSES].join(', '),
    });
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    if (DROPPED_ALWAYS.has(k)) continue;
    if (k in DROPPED_AT_DEFAULT) {
      if (!same(v, DROPPED_AT_DEFAULT[k])) throw new InvalidArgumentError(`${where}: ${k}=${JSON.stringify(v)} is not supported by tfjs-layers`);
      continue;
    }
    if (k === 'dtype') {
      const d = policyDtype(v);
      if (d !== undefined) out.dtype = d;
    } else if (k === 'activation' || k === 'recurrent_activation') out[k] = activationName(v, where);
    else if (/_(initializer|regularizer|constraint)$/.test(k)) out[k] = kerasObject(v, `${where}.${k}`);
    else out[k] = v;
  }
  return fixClass(className, out, where);
}

/** Per-class renames (Keras 3 spelling → Keras 2 spelling). */
function fixClass(className: string, c: Json, where: string): Json {
  switch (className) {
    case 'InputLayer':
      if ('batch_shape' in c) {
        c.batch_input_shape = c.batch_shape;
        delete c.batch_shape;
      } else if ('shape' in c && Array.isArray(c.shape)) {
        c.batch_input_shape = [c.batch_size ?? null, ...c.shape];
        delete c.shape;
        delete c.batch_size;
      }
      if (isObject(c.dtype)) c.dtype = policyDtype(c.dtype) ?? 'float32';
      return c;
    case 'LeakyReLU':
      // Keras 3 renamed alpha to negative_slope (keras/src/layers/activations/leaky_relu.py).
      if ('negative_slope' in c) {
        c.alpha = c.negative_slope;
        delete c.negative_slope;
      }
      return c;
    case 'ReLU':
      if (!same(c.negative_slope ?? 0, 0) || !same(c.threshold ?? 0, 0)) {
        throw new InvalidArgumentError(`${where}: ReLU with negative_slope or threshold is not supported by tfjs-layers`);
      }
      delete c.negative_slope;
      delete c.threshold;
      return c;
    default:
      return c;
  }
}
