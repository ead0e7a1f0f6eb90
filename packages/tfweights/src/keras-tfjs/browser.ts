/** Keras → tfjs pieces that need no Node file access (a KerasReader is passed in). */
export { kerasTopologyForTfjs, checkTfjsLayerClasses, type KerasModelMetadata, type TfjsKerasTopology } from './topology.js';
export { isKeras3ModelConfig, translateKeras3Model } from './keras3-model.js';
export { translateLayerConfig, KERAS3_LAYER_CLASSES } from './keras3-layers.js';
export { TFJS_LAYER_CLASSES } from './tfjs-layer-classes.js';
export { planTfjsWeights, type TfjsWeight, type KerasLikeReader } from './weights.js';
export {
  kerasModelArtifacts, metadataFor, topologyOf, generatedByOf, readTfjsWeight,
  type KerasToTfjsOptions, type TfjsIOHandler, type TfjsModelArtifacts,
} from './artifacts.js';
export { TFWEIGHTS_VERSION } from './version.js';
