/**
 * @tfweights/savedmodel/node: SavedModel directories on the local file system.
 * Importing it installs core's hardware CRC-32C (through @tfweights/core/node).
 */
export { openSavedModel, isSavedModelDir, SAVED_MODEL_PB, FINGERPRINT_PB, VARIABLES_PREFIX } from './open.js';
export { writeSavedModel, type WriteSavedModelOptions, type WriteSavedModelResult, type FingerprintPolicy } from './write.js';
export { createSavedModelWriter, type SavedModelWriter } from './stream-write.js';
