/**
 * @tfweights/keras: Keras weights through h5wasm — legacy `.h5`, Keras 3 `.weights.h5` and
 * `.keras`. This entry is browser-safe (h5wasm is passed in); file access is in
 * `@tfweights/keras/node`.
 */
export type { H5Api } from './h5-api.js';
export { H5Reader, READ_CHUNK_BYTES, type H5DatasetInfo } from './h5-file.js';
export { KerasReader, type OpenH5Options } from './keras-reader.js';
export { openKerasArchiveParts, readArchiveJson, type KerasArchiveParts, type KerasArchiveJson } from './archive-parts.js';
export { checkNotTruncated } from './node/superblock.js';
export { kerasH5Format, keras3Format } from './formats.js';
export { configLayers, classesFromConfig, type ConfigLayer } from './model-config.js';
export { variableNames, toSnakeCase } from './variable-names.js';
export { readableWeightName, stripOutputIndex, type KerasEntry, type KerasLayerInfo, type ParsedLayout } from './legacy-layout.js';
export { naturalCompare } from './keras3-layout.js';
export { H5Writer, HDF5_OBJECT_HEADER_LIMIT, WRITE_CHUNK_BYTES, WRITE_SLAB_BYTES, type Bfloat16Storage, type DatasetOptions } from './h5-write.js';
export { patchToOpaque16, type EmscriptenFs } from './opaque16.js';
export {
  writeLegacyH5File, writeKeras3WeightsFile, legacyWeightName, keras3LayerKeys, keras3LayerGroups, type LegacyH5Options, type Keras3WeightsOptions,
} from './write-layouts.js';
export { groupTensorsByLayer, placeOfTensor, type TensorPlace, type KerasWeight, type KerasLayer, type KerasModelWeights } from './writer-input.js';
export { LegacyH5Stream, Keras3WeightsStream, type StreamOptions } from './stream-writers.js';
export type { KerasLayout, KerasLayoutLayer, KerasLayoutWeight } from './write-layout.js';
export { hyperslabs, type Hyperslab } from './hyperslab.js';
export { markFixedStringsNullPad, patchFixedStringsInHeaders, patchFixedStringsToNullPad, emscriptenPatchFile, type PatchFile, type FixedStrings } from './strpad.js';
export { zipKerasArchive, type ArchiveContent } from './archive-write.js';
