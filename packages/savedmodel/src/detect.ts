/**
 * The SavedModel sniffer and the signature one-liner, without the protobuf decoders. Import as
 * `@tfweights/savedmodel/detect`.
 */
export { looksLikeSavedModelPb } from './format.js';
export { describeSignature } from './describe.js';
export type { SignatureInfo } from './types.js';
