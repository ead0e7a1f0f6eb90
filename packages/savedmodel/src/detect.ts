/** The SavedModel sniffer without the protobuf decoders. Import as `@tfweights/savedmodel/detect`. */
export { looksLikeSavedModelPb } from './format.js';
