/**
 * What the Keras writers take: layers in model order, each with its weights in the layer's
 * own order (what `get_weights()` returns), so any other format can be mapped onto it.
 */
import { InvalidArgumentError, type Tensor } from '@tfweights/core';

/** One variable: its name inside the layer (`kernel`, or a full `dense/kernel:0`) and its value. */
export interface KerasWeight {
  readonly name: string;
  readonly tensor: Tensor;
  /**
   * Keras 3 only: where the variable lives inside its layer's group, e.g. `vars/0` or
   * `forward_layer/cell/vars/2` (must end in `vars/<index>`). Default: the path it had in the
   * Keras 3 file it was read from (tensor attrs `layerKey` from our reader), else `vars/<i>`
   * (`cell/vars/<i>` for LSTM, GRU, SimpleRNN) by position.
   */
  readonly path?: string;
}

/** One layer: name, optional class (decides Keras 3 group keys and variable names), weights in order. */
export interface KerasLayer {
  readonly name: string;
  readonly className?: string;
  readonly weights: readonly KerasWeight[];
  /**
   * Keras 3 only: the layer's HDF5 group, e.g. `layers/dense_1`, written verbatim. Default: the
   * group its tensors came from (tensor attrs `layerKey` from our reader), else derived from
   * the class as Keras does (`layers/<snake_case(class)>[_<n>]`), else the layer name.
   */
  readonly key?: string;
}

/** A model's weights. */
export interface KerasModelWeights {
  readonly layers: readonly KerasLayer[];
  /** Optimizer variables in order (legacy: names become `optimizer_weights/weight_names`; Keras 3: `optimizer/vars/<i>`). */
  readonly optimizer?: readonly KerasWeight[];
}

/** Where a flat tensor goes: the optimizer list, or a layer and a weight name inside it. */
export type TensorPlace = { readonly optimizer: true; readonly name: string } | { readonly optimizer?: false; readonly layer: string; readonly weight: string };

/**
 * Where {@link groupTensorsByLayer} puts one tensor: role `optimizer` → the optimizer list
 * (name without `optimizer/`); else layer `tensor.layer`, or the first segment of the name.
 */
export function placeOfTensor(t: Pick<Tensor, 'key' | 'name' | 'layer' | 'role'>): TensorPlace {
  if (t.role === 'optimizer') return { optimizer: true, name: t.name.replace(/^optimizer\//, '') };
  const layer = t.layer;
  if (layer && t.name.startsWith(`${layer}/`)) return { layer, weight: t.name.slice(layer.length + 1) };
  if (layer) return { layer, weight: t.name };
  // A tensor without a name (an empty key) has no layer either: a typed refusal, not a TypeError.
  const cut = typeof t.name === 'string' ? t.name.indexOf('/') : -1;
  if (cut <= 0) throw new InvalidArgumentError(`cannot tell the layer of tensor '${t.name}': name it '<layer>/<weight>'`, { entry: t.key });
  return { layer: t.name.slice(0, cut), weight: t.name.slice(cut + 1) };
}

/**
 * Group flat tensors into layers by `tensor.layer`, else by the first segment of the name
 * (`dense/kernel` → layer `dense`, weight `kernel`), keeping first-seen order; tensors with
 * role `optimizer` go to the optimizer list.
 */
export function groupTensorsByLayer(tensors: readonly Tensor[]): KerasModelWeights {
  const layers = new Map<string, { name: string; weights: KerasWeight[] }>();
  const optimizer: KerasWeight[] = [];
  for (const t of tensors) {
    const place = placeOfTensor(t);
    if (place.optimizer) {
      optimizer.push({ name: place.name, tensor: t });
      continue;
    }
    let l = layers.get(place.layer);
    if (!l) layers.set(place.layer, (l = { name: place.layer, weights: [] }));
    l.weights.push({ name: place.weight, tensor: t });
  }
  return { layers: [...layers.values()], ...(optimizer.length > 0 ? { optimizer } : {}) };
}
