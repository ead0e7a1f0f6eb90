/** The tfjs format codec alone (no runtime dependency on @tensorflow/tfjs-core). */
export { TfjsReader, type ShardResolver, type OpenTfjsOptions } from './reader.js';
export {
  TfjsWriter, TfjsCollectingWriter, MemoryTfjsOutput, writeTfjs, DEFAULT_SHARD_SIZE,
  type TfjsOutput, type TfjsWriteOptions,
} from './writer.js';
export {
  parseModelJson, serializeModelJson, pythonJson,
  type ModelJson, type WeightsGroupConfig, type WeightsManifestEntry, type WeightQuantization, type QuantizationDtype,
} from './model-json.js';
export { quantize, dequantize } from './quantization.js';
export { encodeStrings, decodeStrings } from './strings.js';
export { TFJS_DTYPES, tfjsStorageDtype, convertData, type DtypeConversionOptions } from './dtype-policy.js';
export { topologyLayers, modelConfigOf } from './topology.js';
export { ConcatSource } from './concat-source.js';
export { readerIOHandler } from './io-handler.js';
export { tfjsFormat } from './format.js';
export type { TfjsIOHandler, TfjsModelArtifacts, TfjsWeightSpec, TfjsDataType } from './tfjs-io-types.js';
export { layersOf } from './layers.js';
