/**
 * Which tensors of a Keras file become tfjs weights, under which names, in which order.
 *
 * tfjs-layers (tfjs-layers/src/engine/container.ts loadWeights) matches weights by the
 * variable's `originalName`, `<layer name>/<weight name>` (e.g. `dense/kernel`), and in strict
 * mode refuses names it has no variable for — so optimizer state is left out. Legacy `.h5`:
 * `weight_names` without `:0` (what the Python converter writes). Keras 3: the layer name plus
 * the variable name the reader derives from the config, renamed where tfjs-layers differs.
 */
import { InvalidArgumentError, type LayerInfo, type TensorInfo, type TensorReader } from '@tfweights/core';

/** A tensor reader with the Keras layer view (a KerasReader). */
export interface KerasLikeReader extends TensorReader {
  layers(): readonly LayerInfo[];
  readonly format: string;
}

/** One planned tfjs weight. */
export interface TfjsWeight {
  /** The reader's key of the tensor. */
  readonly key: string;
  /** The manifest name tfjs-layers matches (`layer/weight`). */
  readonly name: string;
  readonly info: TensorInfo;
  readonly layer: string;
}

/**
 * Keras 3 variable names tfjs-layers spells differently (Keras 3 DepthwiseConv2D creates
 * `kernel`, keras/src/layers/convolutional/base_depthwise_conv.py; tfjs-layers
 * `depthwise_kernel`, tfjs-layers/src/layers/convolutional_depthwise.ts).
 */
const KERAS3_RENAMES: Record<string, Record<string, string>> = {
  DepthwiseConv2D: { kernel: 'depthwise_kernel' },
};

const INDEX_NAME = /(^|\/)vars\/\d+$/;

/** Weights of every layer, in model order and each layer's own order, optimizer state left out. */
export function planTfjsWeights(reader: KerasLikeReader): TfjsWeight[] {
  const infos = new Map(reader.list().map((t) => [t.key, t]));
  const keras3 = reader.format === 'keras3';
  const out: TfjsWeight[] = [];
  const seen = new Set<string>();
  for (const layer of reader.layers()) {
    for (const key of layer.weights) {
      const info = infos.get(key);
      if (!info || info.role === 'optimizer') continue;
      let name = info.name;
      if (INDEX_NAME.test(name) || name === key && keras3) {
        throw new InvalidArgumentError(
          `weight '${key}' of layer '${layer.name}' (class ${layer.className ?? 'unknown'}) has no variable name tfjs-layers can match`,
          { file: reader.source, entry: key, expected: 'a layer class whose variables the Keras reader can name' },
        );
      }
      if (keras3) {
        const variable = name.slice(name.lastIndexOf('/') + 1);
        name = `${layer.name}/${KERAS3_RENAMES[layer.className ?? '']?.[variable] ?? variable}`;
      }
      if (seen.has(name)) throw new InvalidArgumentError(`two weights would both be named '${name}' in tfjs`, { file: reader.source, entry: key });
      seen.add(name);
      out.push({ key, name, info, layer: layer.name });
    }
  }
  return out;
}
