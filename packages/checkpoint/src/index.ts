/**
 * @tfweights/checkpoint: TensorFlow tensor bundles (TF1/TF2 checkpoints, SavedModel
 * variables). Browser-safe; file paths and the `checkpoint` state file are in
 * `@tfweights/checkpoint/node`.
 */
export { openBundle, CheckpointReader, type OpenShard, type OpenBundleOptions, type CheckpointEntry, type CheckpointHeader } from './reader.js';
export { BundleWriter, CheckpointWriter, type BundleWriterOptions, type WriteOptions } from './writer.js';
export { checkpointFormat } from './format.js';
export {
  decodeTrackableObjectGraph, encodeTrackableObjectGraph,
  type TrackableObjectGraph, type TrackableObject, type ObjectReference, type SerializedTensor, type SlotVariableReference,
  type RegisteredSaver, type WireOrder, type UnknownField,
} from './object-graph-proto.js';
export {
  buildObjectGraph, setHasCheckpointValues,
  type GraphVariable, type GraphSlotVariable, type BuildObjectGraphOptions, type BuiltObjectGraph, type ObjectPath,
} from './build-object-graph.js';
export {
  escapeLocalName, unescapeLocalName, parseObjectKey, roleOfTf1Key, OBJECT_GRAPH_KEY, type ParsedObjectKey,
} from './key-names.js';
export { encodeSliceKey, sliceSpec } from './slice-key.js';
export { extractSlice, isFullSlice } from './slice-extract.js';
export { bundleLayoutOf, type BundleLayout, type PartitionLayout } from './bundle-layout.js';
export { dataFileName, indexFileName } from './naming-files.js';
export type { SliceExtent, BundleHeader, BundleEntry, Endianness, VersionDef } from './bundle-proto.js';
export type { TableLayout } from './sstable-read.js';
