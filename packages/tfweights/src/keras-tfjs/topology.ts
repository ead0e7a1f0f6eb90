/**
 * The `modelTopology` of a tfjs layers model from a Keras model config, as the Python converter
 * writes it (tfjs-converter/python/tensorflowjs/converters/keras_h5_conversion.py
 * h5_merged_saved_model_to_tfjs_format: `{keras_version, backend, model_config, training_config?}`)
 * and as tfjs-layers reads it (tfjs-layers/src/models.ts loadLayersModelFromIOHandler takes
 * `modelTopology.model_config` when present).
 */
import { InvalidArgumentError } from '@tfweights/core';
import { isObject, type Json } from './keras3-objects.js';
import { isKeras3ModelConfig, translateKeras3Model } from './keras3-model.js';
import { TFJS_LAYER_CLASSES } from './tfjs-layer-classes.js';

/** What a Keras file says about its model: a KerasReader's `metadata` fits. */
export interface KerasModelMetadata {
  readonly keras_version?: unknown;
  readonly backend?: unknown;
  /** Legacy `.h5` `model_config`, Keras 3 `config.json` or `model.to_json()` (object or JSON text). */
  readonly model_config?: unknown;
  readonly training_config?: unknown;
}

/** The layers-model topology tfjs-layers loads. */
export interface TfjsKerasTopology {
  keras_version: string;
  backend: string;
  model_config: Json;
  training_config?: unknown;
}

function parseJson(v: unknown, what: string): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch (cause) {
    throw new InvalidArgumentError(`${what} is not valid JSON`, { cause });
  }
}

/** Top-level layers (Keras 2.0–2.2 Sequential configs are a bare list). */
function topLayers(modelConfig: Json): unknown[] {
  const c = modelConfig.config;
  if (Array.isArray(c)) return c;
  return isObject(c) && Array.isArray(c.layers) ? c.layers : [];
}

/** Refuse, naming it, a layer class tfjs-layers 4.22 has no deserializer for. */
export function checkTfjsLayerClasses(modelConfig: Json): void {
  for (const l of topLayers(modelConfig)) {
    if (!isObject(l) || typeof l.class_name !== 'string') continue;
    if (!TFJS_LAYER_CLASSES.has(l.class_name)) {
      const name = isObject(l.config) && typeof l.config.name === 'string' ? l.config.name : String(l.name ?? '?');
      throw new InvalidArgumentError(`layer '${name}' has class '${l.class_name}', which tfjs-layers cannot load`, {
        expected: 'a layer class registered in tfjs-layers 4.22',
      });
    }
  }
}

/**
 * Build the tfjs `modelTopology` from a Keras file's metadata. Keras 2 configs pass through
 * (tfjs-layers reads them as the converter stores them); Keras 3 configs are translated to the
 * Keras 2 spelling (see translateKeras3Model). `keras_version` defaults to the config's origin
 * (`2` style → '2', Keras 3 → '3'), backend to 'tensorflow' as the converter assumes.
 */
export function kerasTopologyForTfjs(meta: KerasModelMetadata): TfjsKerasTopology {
  const raw = parseJson(meta.model_config, 'model_config');
  if (!isObject(raw) || typeof raw.class_name !== 'string') {
    throw new InvalidArgumentError('the Keras file has no model config (a weights-only file): pass the model JSON (model.to_json() / config.json) as config', {
      expected: '{class_name, config}',
    });
  }
  const keras3 = isKeras3ModelConfig(raw, typeof meta.keras_version === 'string' ? meta.keras_version : undefined);
  const modelConfig = keras3 ? translateKeras3Model(raw) : raw;
  if (!MODEL_CLASS.has(modelConfig.class_name as string)) {
    throw new InvalidArgumentError(`model class '${String(modelConfig.class_name)}' cannot be loaded by tfjs-layers`, { expected: 'Sequential, Model or Functional' });
  }
  checkTfjsLayerClasses(modelConfig);
  const version = typeof meta.keras_version === 'string' ? meta.keras_version : keras3 ? '3' : '2';
  const out: TfjsKerasTopology = {
    keras_version: version,
    backend: typeof meta.backend === 'string' ? meta.backend : 'tensorflow',
    model_config: modelConfig,
  };
  const training = parseJson(meta.training_config, 'training_config');
  if (training !== undefined && !keras3) out.training_config = training;
  return out;
}

const MODEL_CLASS = new Set(['Sequential', 'Model', 'Functional']);
