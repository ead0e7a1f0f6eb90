/**
 * A Keras 3 model config (config.json of a `.keras`, or `model.to_json()`) → the Keras 2 model
 * config tfjs-layers deserializes: `Sequential` with `{layers: [{class_name, config}]}` and
 * functional `Model` with Keras 2 `inbound_nodes` (`[[[layer, node, tensor, kwargs], …]]`).
 *
 * Keras 3 side: keras/src/models/sequential.py get_config, keras/src/models/functional.py
 * get_config / serialize_node (nodes as `{args, kwargs}` holding `__keras_tensor__` objects with
 * `keras_history = [layer, node_index, tensor_index]`). Keras 2 side as tfjs-layers reads it:
 * tfjs-layers/src/engine/container.ts fromConfig, tfjs-layers/src/models.ts Sequential.fromConfig.
 */
import { InvalidArgumentError } from '@tfweights/core';
import { isObject, type Json } from './keras3-objects.js';
import { translateLayerConfig } from './keras3-layers.js';

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** True when `v` holds, at any depth, a Keras 3 serialized object or an InputLayer `batch_shape`. */
function hasKeras3Marks(v: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (Array.isArray(v)) return v.some((x) => hasKeras3Marks(x, depth + 1));
  if (!isObject(v)) return false;
  if ('module' in v && 'class_name' in v) return true;
  if ('batch_shape' in v || 'build_config' in v) return true;
  return Object.values(v).some((x) => hasKeras3Marks(x, depth + 1));
}

/**
 * True when a model config is Keras 3 style: written by Keras >= 3 (`kerasVersion`), or
 * carrying Keras 3 marks (`module` wrappers such as DTypePolicy, `batch_shape`, `build_config`).
 * Keras 3's legacy `.h5` writer stores such configs without the top-level `module`.
 */
export function isKeras3ModelConfig(modelConfig: unknown, kerasVersion?: string): boolean {
  if (!isObject(modelConfig)) return false;
  if (kerasVersion !== undefined && /^([3-9]|\d\d)\./.test(kerasVersion)) return true;
  return hasKeras3Marks(modelConfig);
}

/** Translate a whole Keras 3 model config. Throws InvalidArgumentError naming what cannot be translated. */
export function translateKeras3Model(modelConfig: unknown): Json {
  if (!isObject(modelConfig) || typeof modelConfig.class_name !== 'string' || !isObject(modelConfig.config)) {
    throw new InvalidArgumentError('Keras model config must be an object with class_name and config', { expected: '{class_name, config}' });
  }
  const cls = modelConfig.class_name;
  if (cls === 'Sequential') return translateSequential(modelConfig.config, modelConfig.build_config);
  if (cls === 'Functional' || cls === 'Model') return translateFunctional(modelConfig.config);
  throw new InvalidArgumentError(`model class '${cls}' cannot be translated for tfjs-layers (subclassed models have no config tfjs can rebuild)`, {
    expected: 'Sequential or Functional',
  });
}

interface LayerItem {
  className: string;
  name: string;
  config: Json;
  raw: Json;
}

function layerItems(config: Json, model: string): LayerItem[] {
  if (!Array.isArray(config.layers)) throw new InvalidArgumentError(`model '${model}': config has no layers list`);
  return config.layers.map((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw.class_name !== 'string' || !isObject(raw.config)) {
      throw new InvalidArgumentError(`model '${model}': layer #${i} is not {class_name, config}`);
    }
    const name = typeof raw.config.name === 'string' ? raw.config.name : typeof raw.name === 'string' ? raw.name : `#${i}`;
    if (MODEL_CLASSES.has(raw.class_name)) {
      throw new InvalidArgumentError(`layer '${name}' is a nested ${raw.class_name} model: not supported for tfjs-layers conversion`);
    }
    return { className: raw.class_name, name, config: raw.config, raw };
  });
}

function inputShapeOf(buildConfig: unknown): unknown[] | undefined {
  return isObject(buildConfig) && Array.isArray(buildConfig.input_shape) ? buildConfig.input_shape : undefined;
}

function translateSequential(config: Json, buildConfig: unknown): Json {
  const name = typeof config.name === 'string' ? config.name : 'sequential';
  const items = layerItems(config, name);
  const layers = items.map((l) => ({ class_name: l.className, config: translateLayerConfig(l.className, l.config, `layer '${l.name}'`) }));
  const first = layers[0];
  // Without an InputLayer, tfjs needs batch_input_shape on the first layer (Keras 3 keeps the
  // shape in build_input_shape / build_config instead).
  if (first && first.class_name !== 'InputLayer' && !('batch_input_shape' in first.config)) {
    const shape = Array.isArray(config.build_input_shape) ? config.build_input_shape : inputShapeOf(buildConfig) ?? inputShapeOf(items[0]?.raw.build_config);
    if (!shape) throw new InvalidArgumentError(`Sequential '${name}' has no InputLayer and no build input shape: tfjs-layers needs one`);
    first.config.batch_input_shape = shape;
  }
  return { class_name: 'Sequential', config: { name, layers } };
}

/** `[name, node, tensor]` triples: Keras 3 writes a single triple unwrapped when there is one tensor. */
function triples(v: unknown, what: string): unknown[][] {
  if (!Array.isArray(v)) throw new InvalidArgumentError(`functional config: ${what} is not a list`);
  if (v.length > 0 && typeof v[0] === 'string') return [v];
  return v.map((t) => {
    if (!Array.isArray(t)) throw new InvalidArgumentError(`functional config: ${what} entry ${JSON.stringify(t)} is not [layer, node, tensor]`);
    return t;
  });
}

function isKerasTensor(v: unknown): v is Json & { config: Json } {
  return isObject(v) && v.class_name === '__keras_tensor__' && isObject(v.config);
}

/** Keras tensors found in a node's call args, in order (merge layers take a list). */
function tensorsIn(v: unknown, out: unknown[][]): void {
  if (isKerasTensor(v)) {
    const h = v.config.keras_history;
    if (!Array.isArray(h) || h.length !== 3) throw new InvalidArgumentError(`keras tensor without keras_history: ${JSON.stringify(v)}`);
    out.push(h);
  } else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out);
  else if (isObject(v)) for (const x of Object.values(v)) tensorsIn(x, out);
}

function translateNode(node: unknown, where: string): unknown[][] {
  // Keras 2 nodes (already lists of [layer, node, tensor, kwargs]) pass through.
  if (Array.isArray(node)) return node as unknown[][];
  if (!isObject(node)) throw new InvalidArgumentError(`${where}: inbound node ${JSON.stringify(node)} is not {args, kwargs}`);
  const inputs: unknown[][] = [];
  tensorsIn(node.args, inputs);
  const kwargs = isObject(node.kwargs) ? node.kwargs : {};
  const kwTensors: unknown[][] = [];
  tensorsIn(kwargs, kwTensors);
  if (kwTensors.length > 0) throw new InvalidArgumentError(`${where}: tensors passed as keyword arguments are not supported by tfjs-layers`);
  return inputs.map((h) => [h[0], h[1], h[2], { ...kwargs }]);
}

function translateFunctional(config: Json): Json {
  const name = typeof config.name === 'string' ? config.name : 'model';
  const layers = layerItems(config, name).map((l) => {
    const where = `layer '${l.name}'`;
    const nodes = Array.isArray(l.raw.inbound_nodes) ? l.raw.inbound_nodes : [];
    return {
      name: l.name,
      class_name: l.className,
      config: translateLayerConfig(l.className, l.config, where),
      inbound_nodes: nodes.map((n: unknown) => translateNode(n, where)),
    };
  });
  return {
    class_name: 'Model',
    config: { name, layers, input_layers: triples(config.input_layers, 'input_layers'), output_layers: triples(config.output_layers, 'output_layers') },
  };
}
