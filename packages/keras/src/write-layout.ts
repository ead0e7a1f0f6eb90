/**
 * An up-front layout for the streaming Keras writers: which tensor goes to which layer and
 * weight, in what order, known before the first tensor arrives. The file's name lists
 * (`layer_names`, `weight_names`) and Keras 3 group keys and variable paths then follow it,
 * whatever order the tensors arrive in, and no tensor has to be held until the end.
 */

/** One weight of a layer in the layout. */
export interface KerasLayoutWeight {
  /** Its name inside the layer (`kernel`, or a full `dense/kernel:0`). */
  readonly name: string;
  /**
   * The tensor that fills it, matched against the written tensor's `key`, then its `name`.
   * Default: `<layer>/<name>` (or `name` when it already starts with `<layer>/`).
   */
  readonly tensor?: string;
  /** Keras 3 only: its path inside the layer's group (`vars/0`); default `vars/<index>` (`cell/vars/<index>` for RNN layers). */
  readonly path?: string;
}

/** One layer of the layout, in model order; its weights in Keras's order for the layer. */
export interface KerasLayoutLayer {
  readonly name: string;
  /** Class name (decides Keras 3 group keys and RNN cell paths). */
  readonly className?: string;
  /** Keras 3 only: the layer's group (`layers/dense_1`); default derived from the class as Keras does. */
  readonly key?: string;
  readonly weights: readonly KerasLayoutWeight[];
}

/** Everything a streaming Keras writer will receive, in the file's order. */
export interface KerasLayout {
  readonly layers: readonly KerasLayoutLayer[];
  /** Optimizer variables in order; `tensor` defaults to `name`, then `optimizer/<name>`. */
  readonly optimizer?: readonly { readonly name: string; readonly tensor?: string }[];
}
