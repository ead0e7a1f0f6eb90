/**
 * What a format registry needs without loading the codec (no protobuf, no snappy): the
 * sniffer and the object-graph key. Import as `@tfweights/checkpoint/detect`.
 */
export { checkpointFormat } from './format.js';
export { OBJECT_GRAPH_KEY } from './key-names.js';
