/**
 * @tfweights/savedmodel: list a SavedModel's variables by their real names, read their values
 * through @tfweights/checkpoint, show its signatures, and (from `./node`) rewrite its weights.
 * Browser-safe; directory access is in `@tfweights/savedmodel/node`.
 */
export { openSavedModelSources, type SavedModelSources, type OpenSavedModelOptions } from './open.js';
export { SavedModelReader, OBJECT_GRAPH_KEY, type SavedModelReaderParts } from './reader.js';
export { decodeSavedModel, selectMetaGraph, MAX_SAVED_MODEL_BYTES } from './decode-saved-model.js';
export { decodeFingerprint, withCheckpointHash } from './fingerprint.js';
export { fingerprint64 } from './farmhash.js';
export { mapVariables, MAX_OBJECT_DEPTH, type TrackableGraphLike, type VariableBinding, type VariableMapping } from './variable-map.js';
export { savedModelFormat, looksLikeSavedModelPb } from './format.js';
export { describeSignature } from './describe.js';
export type * from './types.js';
