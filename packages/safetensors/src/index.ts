/**
 * @tfweights/safetensors: lazy reader and streaming writer for safetensors files, every
 * safetensors dtype (bf16, f16, f8 … as raw bytes). Browser-safe; file paths live in
 * `@tfweights/safetensors/node`.
 */
export { SafetensorsReader, openSafetensorsSource, type UnsupportedEntry } from './reader.js';
export {
  SafetensorsWriter, SafetensorsCollectingWriter, MemorySpool, serializeSafetensors,
  type SafetensorsWriteOptions, type CollectingWriteOptions, type Spool,
} from './writer.js';
export { planSafetensors, compareUtf8, type PlannedTensor, type SafetensorsLayout } from './layout.js';
export { parseHeader, headerLengthOf, MAX_HEADER_SIZE, type ParsedHeader, type SafetensorsEntry } from './header.js';
export { SAFETENSORS_DTYPES, safetensorsBits, safetensorsDtypeOf, coreDtypeOf } from './dtypes.js';
export { safetensorsFormat } from './format.js';
