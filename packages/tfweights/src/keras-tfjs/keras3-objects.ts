/**
 * Keras 3 serialized objects → the Keras 2 spelling tfjs-layers deserializes.
 *
 * Keras 3 (`keras/src/saving/serialization_lib.py` serialize_keras_object) wraps every object as
 * `{module, class_name, config, registered_name, shared_object_id?}`; Keras 2 (and tfjs-layers'
 * `deserializeKerasObject`, tfjs-layers/src/utils/generic_utils.ts) expects `{class_name, config}`.
 * Dtype policies become their name; `L1`/`L2` regularizers become tfjs's `L1L2`.
 */
import { InvalidArgumentError } from '@tfweights/core';

/** A JSON object. */
export type Json = Record<string, unknown>;

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a Keras 3 `{module?, class_name, config, registered_name?}` wrapper. */
export function isSerialized(v: unknown): v is Json & { class_name: string } {
  return isObject(v) && typeof v.class_name === 'string' && 'config' in v && ('module' in v || 'registered_name' in v);
}

/** Activations tfjs-layers 4.22 knows (tfjs-layers/src/activations.ts), Keras 3 spellings mapped. */
const ACTIVATIONS = new Set([
  'elu', 'hard_sigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus', 'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new',
]);
const ACTIVATION_ALIASES: Record<string, string> = { silu: 'swish' };

/** An activation: a name, or Keras 3's `{class_name: 'function', config: 'relu'}` wrapper. */
export function activationName(v: unknown, where: string): string {
  let name = v;
  if (isObject(v)) name = typeof v.config === 'string' ? v.config : v.registered_name ?? v.class_name;
  if (name === null || name === undefined) return 'linear';
  if (typeof name !== 'string') throw new InvalidArgumentError(`${where}: activation ${JSON.stringify(v)} is not a name`);
  const mapped = ACTIVATION_ALIASES[name] ?? name;
  if (!ACTIVATIONS.has(mapped)) {
    throw new InvalidArgumentError(`${where}: activation '${name}' is not available in tfjs-layers`, { expected: [...ACTIVATIONS].join(', ') });
  }
  return mapped;
}

/** The variable dtype of a Keras 3 DTypePolicy (or a plain dtype string). */
export function policyDtype(v: unknown): string | undefined {
  if (typeof v === 'string') return v.startsWith('mixed_') ? 'float32' : v;
  if (isObject(v) && isObject(v.config) && typeof v.config.name === 'string') return policyDtype(v.config.name);
  return undefined;
}

/** Keys Keras 3 added inside initializer configs that tfjs-layers does not take. */
const INITIALIZER_EXTRA_KEYS = ['input_axes', 'output_axes'];

/** One initializer / regularizer / constraint object → `{class_name, config}`. */
export function kerasObject(v: unknown, where: string): unknown {
  if (v === null || v === undefined || typeof v === 'string') return v ?? null;
  if (!isObject(v) || typeof v.class_name !== 'string') {
    throw new InvalidArgumentError(`${where}: expected a serialized Keras object, found ${JSON.stringify(v)}`);
  }
  const config: Json = isObject(v.config) ? { ...v.config } : {};
  delete config.shared_object_id;
  for (const k of INITIALIZER_EXTRA_KEYS) delete config[k];
  const cls = v.class_name;
  // tfjs-layers registers only L1L2 (tfjs-layers/src/regularizers.ts); Keras 3 writes L1 / L2 too.
  if (cls === 'L1') return { class_name: 'L1L2', config: { l1: config.l1 ?? 0, l2: 0 } };
  if (cls === 'L2') return { class_name: 'L1L2', config: { l1: 0, l2: config.l2 ?? 0 } };
  return { class_name: cls, config };
}
