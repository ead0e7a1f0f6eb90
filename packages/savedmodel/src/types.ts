/**
 * What this package decodes out of `saved_model.pb`: plain objects, int64 as number (sizes,
 * dims) or bigint (hashes), never protobufjs `Long`.
 * Field meanings: tensorflow/core/protobuf/{saved_model,meta_graph,saved_object_graph,saver}.proto.
 */
import type { DTypeName } from '@tfweights/core';

/** A tensor shape: dims outermost first, `-1` = unknown dimension; `null` = unknown rank. */
export type ShapeSpec = readonly number[] | null;

/** One input or output of a signature (meta_graph.proto `TensorInfo`). */
export interface SignatureTensor {
  /** Key in the signature's `inputs`/`outputs` map, e.g. `x`. */
  readonly key: string;
  /** Graph tensor name such as `serving_default_x:0`; absent for sparse/composite encodings. */
  readonly tensorName?: string;
  /** How the tensor is encoded: dense by name, COO sparse, or composite (ragged …). */
  readonly encoding: 'name' | 'coo_sparse' | 'composite_tensor' | 'none';
  /** Element dtype; undefined when the file says DT_INVALID (e.g. the init-op NoOp output). */
  readonly dtype?: DTypeName;
  /** TF `DataType` enum as stored (0 = DT_INVALID). */
  readonly tfDtype: number;
  readonly shape: ShapeSpec;
}

/** A SignatureDef: what a serving function takes and returns. */
export interface SignatureInfo {
  /** Map key, e.g. `serving_default`. */
  readonly key: string;
  /** e.g. `tensorflow/serving/predict`. */
  readonly methodName: string;
  /** Inputs sorted by key. */
  readonly inputs: readonly SignatureTensor[];
  /** Outputs sorted by key. */
  readonly outputs: readonly SignatureTensor[];
}

/** saver.proto `SaverDef` (TF1 restore wiring; TF2 keeps it for the C++ loader). */
export interface SaverDefInfo {
  readonly filenameTensorName: string;
  readonly saveTensorName: string;
  readonly restoreOpName: string;
  readonly maxToKeep: number;
  readonly sharded: boolean;
  readonly keepCheckpointEveryNHours: number;
  /** 0 LEGACY, 1 V1, 2 V2 (tensor bundle). */
  readonly version: number;
}

/** saved_object_graph.proto `SavedVariable`. */
export interface SavedVariableInfo {
  readonly dtype?: DTypeName;
  readonly tfDtype: number;
  readonly shape: ShapeSpec;
  readonly trainable: boolean;
  /** VariableSynchronization: 0 AUTO, 1 NONE, 2 ON_WRITE, 3 ON_READ. */
  readonly synchronization: number;
  /** VariableAggregation: 0 NONE, 1 SUM, 2 MEAN, 3 ONLY_FIRST_REPLICA. */
  readonly aggregation: number;
  /** TF variable op name without `:0` (may repeat across variables, e.g. two `Variable`s). */
  readonly name: string;
  readonly device: string;
}

/** Which member of the `SavedObject.kind` oneof is set. */
export type SavedObjectKind =
  | 'user_object' | 'asset' | 'function' | 'variable' | 'bare_concrete_function' | 'constant'
  | 'resource' | 'captured_tensor' | 'none';

/** A child edge of an object graph node (trackable_object_graph.proto `ObjectReference`). */
export interface ObjectReference {
  readonly nodeId: number;
  readonly localName: string;
}

/** saved_object_graph.proto `SavedObject`, reduced to what naming variables needs. */
export interface SavedObjectInfo {
  readonly children: readonly ObjectReference[];
  readonly kind: SavedObjectKind;
  /** Set when `kind` is `variable`. */
  readonly variable?: SavedVariableInfo;
  /** `SavedUserObject.identifier` (e.g. `_generic_user_object`, `_tf_keras_layer`) when `kind` is `user_object`. */
  readonly identifier?: string;
  /** `SavedAsset.asset_file_def_index` when `kind` is `asset`. */
  readonly assetFileDefIndex?: number;
}

/** One MetaGraphDef, decoded except for its graph, collections and function library. */
export interface MetaGraphInfo {
  /** Position in `SavedModel.meta_graphs`. */
  readonly index: number;
  readonly tags: readonly string[];
  readonly metaGraphVersion: string;
  readonly tensorflowVersion: string;
  readonly tensorflowGitVersion: string;
  readonly strippedDefaultAttrs: boolean;
  readonly functionAliases: Readonly<Record<string, string>>;
  /** Sorted by key. */
  readonly signatures: readonly SignatureInfo[];
  readonly saverDef?: SaverDefInfo;
  /** Asset file names (relative to `assets/`), in `asset_file_def` order. */
  readonly assetFiles: readonly string[];
  /** TF2 object graph; absent in TF1 SavedModels. */
  readonly objectGraph?: readonly SavedObjectInfo[];
  /** Bytes of the skipped `graph_def` (never decoded). */
  readonly graphDefBytes: number;
}

/** The decoded `saved_model.pb`. */
export interface SavedModelInfo {
  readonly schemaVersion: number;
  readonly metaGraphs: readonly MetaGraphInfo[];
}

/** A variable of a SavedModel and where its value lives in `variables/variables.index`. */
export interface SavedModelVariable {
  /** Bundle key, e.g. `a/.ATTRIBUTES/VARIABLE_VALUE` (TF2) or `dense/kernel` (TF1). */
  readonly key: string;
  /** Readable name used in listings: the SavedVariable name, or the object path where names repeat (TF1: the key). */
  readonly name: string;
  /** `SavedVariable.name` (TF2); the bundle key for TF1. */
  readonly variableName: string;
  /** Child names from the root joined by `/`, e.g. `layer_with_weights-0/kernel` (TF2 only). */
  readonly objectPath?: string;
  /** Node id in the SavedObjectGraph (TF2 only). */
  readonly nodeId?: number;
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  /** `SavedVariable.trainable` (TF2); undefined for TF1, whose bundle does not say. */
  readonly trainable?: boolean;
}

/** FingerprintDef (fingerprint.proto), uint64 hashes as bigint. */
export interface FingerprintInfo {
  readonly savedModelChecksum: bigint;
  readonly graphDefProgramHash: bigint;
  readonly signatureDefHash: bigint;
  readonly savedObjectGraphHash: bigint;
  /** FarmHash Fingerprint64 of `variables/variables.index` (0 when absent). */
  readonly checkpointHash: bigint;
  readonly versionProducer?: number;
}
