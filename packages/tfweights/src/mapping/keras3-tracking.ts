/**
 * Where Keras 3 (TensorFlow backend) keeps each variable of a model, derived from the model
 * config alone: its variable path (`w.path`), the TF object path `tf.train.Checkpoint(model=m)`
 * writes it under, and its place in a `.weights.h5`.
 *
 * Facts this relies on (Keras 3.15, checked against checkpoints TF 2.21 wrote, see
 * packages/testkit/tf-corpus/cases/keras-models.py):
 * - keras/src/backend/tensorflow/trackable.py `KerasAutoTrackable`: children are tracked under
 *   their Python attribute names, so a functional model's layers sit at `_operations/<i>`
 *   (keras/src/models/functional.py: `_operations` includes the InputLayer, in config order) and
 *   a Sequential's at `_functional/_operations/<i>` (keras/src/models/sequential.py builds an
 *   inner Functional whose operation 0 is the InputLayer);
 * - variables sit under the attribute the layer assigns: quantizable layers keep `_kernel` /
 *   `_embeddings` (keras/src/layers/core/dense.py, einsum_dense.py, embedding.py,
 *   convolutional/base_conv.py), others `kernel`, `bias`, `gamma` …; RNN layers hold `cell`,
 *   Bidirectional `forward_layer` / `backward_layer`, TimeDistributed `layer`,
 *   MultiHeadAttention `_query_dense` … `_output_dense`;
 * - `.weights.h5` groups (keras/src/saving/saving_lib.py `_save_state`): the same attributes
 *   without the leading `_`, containers as `layers/<snake_case(class)>[_<n>]`, a saveable's own
 *   variables at `vars/<i>`;
 * - `w.path`: layer names joined by `/`; a Sequential prefixes its own name, a Functional not.
 */
import { InvalidArgumentError } from '@tfweights/core';
import { isObject, type Json } from '../keras-tfjs/keras3-objects.js';

/** One variable of a Keras 3 model. */
export interface TrackedVariable {
  /** The top-level layer it belongs to. */
  readonly layer: string;
  /** Keras's variable path (`w.path`), e.g. `lstm/lstm_cell/kernel`. */
  readonly path: string;
  /** Its TF object path below the model, e.g. `['_operations', '1', 'cell', 'kernel']`. */
  readonly object: readonly string[];
  /** Its dataset in a `.weights.h5`, e.g. `layers/lstm/cell/vars/0`. */
  readonly h5: string;
  readonly trainable: boolean;
}

/** A top-level layer with its variables in legacy `.h5` order (trainable, then non-trainable). */
export interface TrackedLayer {
  readonly name: string;
  readonly className: string;
  readonly variables: readonly TrackedVariable[];
}

/** Every variable of a model: `variables` in `model.weights` order, `trainable` in `model.trainable_variables` order. */
export interface TrackedModel {
  readonly className: string;
  readonly layers: readonly TrackedLayer[];
  readonly variables: readonly TrackedVariable[];
  readonly trainable: readonly TrackedVariable[];
}

/** A class this module does not know: where its variables live cannot be derived. */
export class UnknownLayerError extends InvalidArgumentError {}

/** One own variable: its Keras name and the attribute TF tracks it under. */
interface Own { readonly name: string; readonly attr: string; readonly trainable: boolean }

const v = (name: string, attr = name, trainable = true): Own => ({ name, attr, trainable });
const withBias = (cfg: Json, ...first: Own[]): Own[] => [...first, ...(cfg.use_bias === false ? [] : [v('bias')])];

/** Own variables per class (creation order), from the layers' `build()` in keras/src/layers/**. */
const OWN: Record<string, (cfg: Json) => Own[]> = {
  Dense: (c) => withBias(c, v('kernel', '_kernel')),
  EinsumDense: (c) => (typeof c.bias_axes === 'string' && c.bias_axes !== '' ? [v('kernel', '_kernel'), v('bias')] : [v('kernel', '_kernel')]),
  Embedding: () => [v('embeddings', '_embeddings')],
  Conv1D: (c) => withBias(c, v('kernel', '_kernel')),
  Conv2D: (c) => withBias(c, v('kernel', '_kernel')),
  Conv3D: (c) => withBias(c, v('kernel', '_kernel')),
  Conv1DTranspose: (c) => withBias(c, v('kernel')),
  Conv2DTranspose: (c) => withBias(c, v('kernel')),
  Conv3DTranspose: (c) => withBias(c, v('kernel')),
  DepthwiseConv1D: (c) => withBias(c, v('kernel')),
  DepthwiseConv2D: (c) => withBias(c, v('kernel')),
  SeparableConv1D: (c) => withBias(c, v('depthwise_kernel'), v('pointwise_kernel')),
  SeparableConv2D: (c) => withBias(c, v('depthwise_kernel'), v('pointwise_kernel')),
  LSTMCell: (c) => withBias(c, v('kernel'), v('recurrent_kernel')),
  GRUCell: (c) => withBias(c, v('kernel'), v('recurrent_kernel')),
  SimpleRNNCell: (c) => withBias(c, v('kernel'), v('recurrent_kernel')),
  BatchNormalization: (c) => [
    ...(c.scale === false ? [] : [v('gamma')]), ...(c.center === false ? [] : [v('beta')]),
    v('moving_mean', 'moving_mean', false), v('moving_variance', 'moving_variance', false),
  ],
  LayerNormalization: (c) => [...(c.scale === false ? [] : [v('gamma')]), ...(c.center === false ? [] : [v('beta')])],
  GroupNormalization: (c) => [...(c.scale === false ? [] : [v('gamma')]), ...(c.center === false ? [] : [v('beta')])],
  PReLU: () => [v('alpha')],
  Normalization: () => [v('mean', 'adapt_mean', false), v('variance', 'adapt_variance', false), v('count', 'count', false)],
};

/** Classes that hold no variables (keras/src/layers: reshaping, pooling, merging, activations, regularization). */
const NO_VARIABLES = new Set([
  'InputLayer', 'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D',
  'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization', 'Activation', 'ReLU',
  'LeakyReLU', 'ELU', 'Softmax', 'Masking', 'Identity', 'Lambda', 'UnitNormalization', 'Rescaling', 'CenterCrop', 'Resizing',
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D',
  'GlobalAveragePooling3D', 'ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D', 'Cropping1D', 'Cropping2D', 'Cropping3D',
  'UpSampling1D', 'UpSampling2D', 'UpSampling3D',
]);

const RNN_CELL: Record<string, string> = { LSTM: 'LSTMCell', GRU: 'GRUCell', SimpleRNN: 'SimpleRNNCell' };
/** MultiHeadAttention's four EinsumDense sub-layers: Keras name, attribute (keras/src/layers/attention/multi_head_attention.py). */
const MHA_PARTS: readonly [string, string][] = [['query', '_query_dense'], ['key', '_key_dense'], ['value', '_value_dense'], ['attention_output', '_output_dense']];

/** keras `utils/naming.py` `to_snake_case`. */
function snake(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

interface Node { readonly className: string; readonly config: Json }

function nodeOf(v: unknown, where: string): Node {
  if (!isObject(v) || typeof v.class_name !== 'string') throw new InvalidArgumentError(`${where}: not a Keras layer config`);
  // Keras 2.0–2.2 Sequential configs are a bare list of layers.
  return { className: v.class_name, config: Array.isArray(v.config) ? { layers: v.config } : isObject(v.config) ? v.config : {} };
}

const nameOf = (n: Node): string => (typeof n.config.name === 'string' ? n.config.name : snake(n.className));

/** Where a layer is: its path parts so far, and whether a frozen ancestor makes it non-trainable. */
interface At { readonly layer: string; readonly names: readonly string[]; readonly object: readonly string[]; readonly h5: string; readonly frozen: boolean }

function isModel(n: Node): boolean {
  return Array.isArray(n.config.layers) && ['Sequential', 'Functional', 'Model'].includes(n.className);
}

/** A layer's variables in `layer.weights` order: own trainable, own non-trainable, then sub-layers. */
function walk(n: Node, at: At, out: TrackedVariable[]): void {
  const frozen = at.frozen || n.config.trainable === false;
  const cls = n.className;
  const me = [...at.names, nameOf(n)];
  /** A sub-layer: `names` is the path prefix of its variables, without its own name. */
  const sub = (child: Node, attr: readonly string[], h5: string, names: readonly string[] = me): void =>
    walk(child, { layer: at.layer, names, object: [...at.object, ...attr], h5, frozen }, out);
  const named = (child: Node, name: string): Node => ({ className: child.className, config: { ...child.config, name } });
  if (isModel(n)) {
    const layers = (n.config.layers as unknown[]).map((l, i) => nodeOf(l, `layer ${i} of '${nameOf(n)}'`));
    const seq = cls === 'Sequential';
    const counters = new Map<string, number>();
    let op = seq && layers[0]?.className !== 'InputLayer' ? 1 : 0;
    for (const l of layers) {
      const index = op++;
      if (seq && l.className === 'InputLayer') continue; // Sequential.layers leaves it out of the h5 keys
      const k = snake(l.className);
      const c = counters.get(k) ?? 0;
      counters.set(k, c + 1);
      const h5 = `${at.h5 ? `${at.h5}/` : ''}layers/${c === 0 ? k : `${k}_${c}`}`;
      // A Sequential builds its layers in its own name scope; a Functional does not.
      sub(l, [...(seq ? ['_functional'] : []), '_operations', String(index)], h5, seq ? me : at.names);
    }
    return;
  }
  const own = OWN[cls];
  if (own) {
    const vars = own(n.config);
    const order = [...vars.filter((x) => x.trainable), ...vars.filter((x) => !x.trainable)];
    order.forEach((x) => out.push({
      layer: at.layer, path: [...me, x.name].join('/'), object: [...at.object, x.attr],
      h5: `${at.h5}/vars/${vars.indexOf(x)}`, trainable: x.trainable && !frozen,
    }));
    return;
  }
  if (NO_VARIABLES.has(cls)) return;
  const c = n.config;
  if (RNN_CELL[cls]) {
    const cell = isObject(c.cell) ? nodeOf(c.cell, `cell of '${nameOf(n)}'`) : { className: RNN_CELL[cls]!, config: c };
    sub(named(cell, snake(cell.className)), ['cell'], `${at.h5}/cell`);
    return;
  }
  if (cls === 'Bidirectional') {
    const fwd = nodeOf(c.layer, `layer of '${nameOf(n)}'`);
    const given = c.backward_layer !== undefined && c.backward_layer !== null;
    const bwd = given ? nodeOf(c.backward_layer, `backward_layer of '${nameOf(n)}'`) : fwd;
    const strip = (s: string, p: string): string => (s.startsWith(p) ? s.slice(p.length) : s);
    sub(named(fwd, `forward_${strip(nameOf(fwd), 'forward_')}`), ['forward_layer'], `${at.h5}/forward_layer`);
    sub(given ? bwd : named(fwd, `backward_${strip(nameOf(fwd), 'backward_')}`), ['backward_layer'], `${at.h5}/backward_layer`);
    return;
  }
  if (cls === 'TimeDistributed') {
    sub(nodeOf(c.layer, `layer of '${nameOf(n)}'`), ['layer'], `${at.h5}/layer`);
    return;
  }
  if (cls === 'MultiHeadAttention') {
    const bias = c.use_bias === false ? '' : 'x';
    for (const [name, attr] of MHA_PARTS) sub({ className: 'EinsumDense', config: { bias_axes: bias, name } }, [attr], `${at.h5}/${attr.slice(1)}`);
    return;
  }
  throw new UnknownLayerError(`layer '${at.layer}': where Keras 3 keeps the variables of a ${cls} is not known here`, {
    expected: 'a built-in Keras layer class, or --keras-layout tf-keras-2',
  });
}

/** Strip `{module, class_name, config}` / legacy `{class_name, config}` wrappers down to the model node. */
function modelNode(modelConfig: unknown): Node {
  const top = isObject(modelConfig) && isObject(modelConfig.model_config) ? modelConfig.model_config : modelConfig;
  const n = nodeOf(top, 'model config');
  if (!isModel(n)) throw new InvalidArgumentError(`model config: a ${n.className} with no layers is not a Keras model config`);
  return n;
}

/** Every variable of a Keras 3 model, derived from its config; throws UnknownLayerError for classes not known here. */
export function keras3Tracking(modelConfig: unknown): TrackedModel {
  const model = modelNode(modelConfig);
  const seq = model.className === 'Sequential';
  const layers = (model.config.layers as unknown[]).map((l, i) => nodeOf(l, `layer ${i}`));
  const out: TrackedLayer[] = [];
  const walked: TrackedVariable[] = [];
  const counters = new Map<string, number>();
  let op = seq && layers[0]?.className !== 'InputLayer' ? 1 : 0;
  for (const l of layers) {
    const index = op++;
    if (seq && l.className === 'InputLayer') continue;
    const k = snake(l.className);
    const c = counters.get(k) ?? 0;
    counters.set(k, c + 1);
    const name = nameOf(l);
    const vars: TrackedVariable[] = [];
    walk(l, {
      layer: name, names: seq ? [nameOf(model)] : [],
      object: [...(seq ? ['_functional'] : []), '_operations', String(index)], h5: `layers/${c === 0 ? k : `${k}_${c}`}`,
      frozen: model.config.trainable === false,
    }, vars);
    out.push({ name, className: l.className, variables: [...vars.filter((x) => x.trainable), ...vars.filter((x) => !x.trainable)] });
    walked.push(...vars);
  }
  // model.weights walks layers in order, each layer's own weights then its sub-layers' (the walk order).
  return { className: model.className, layers: out, variables: walked, trainable: walked.filter((x) => x.trainable) };
}
