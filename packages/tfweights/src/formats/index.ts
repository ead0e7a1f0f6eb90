/**
 * The registry of every format this build of the CLI knows. Detection asks adapters in this
 * order; put the most specific first (a SavedModel directory before a generic folder of .npy).
 */
import { AdapterRegistry } from './registry.js';
import { checkpointAdapter } from './checkpoint.js';
import { keras3Adapter, kerasH5Adapter } from './keras.js';
import { npyAdapter, npzAdapter } from './numpy.js';
import { safetensorsAdapter } from './safetensors.js';
import { savedModelAdapter } from './savedmodel.js';
import { tfjsAdapter } from './tfjs.js';

export function defaultRegistry(): AdapterRegistry {
  return new AdapterRegistry()
    .register(savedModelAdapter)
    .register(checkpointAdapter)
    .register(kerasH5Adapter)
    .register(keras3Adapter)
    .register(npzAdapter)
    .register(npyAdapter)
    .register(safetensorsAdapter)
    .register(tfjsAdapter);
}

export { AdapterRegistry } from './registry.js';
export type { CreateOptions, FormatAdapter, OpenOptions, PipelineWriter, Probe } from './adapter.js';
