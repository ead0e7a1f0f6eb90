/**
 * Node: a tfjs-core IOHandler that loads a Keras `.h5` / `.keras` directly —
 * `tf.loadLayersModel(fromKeras('model.h5'))` — reading it through our Keras reader.
 */
import { kerasModelArtifacts, type KerasToTfjsOptions, type TfjsIOHandler } from './artifacts.js';
import { openKerasInput, type KerasInput, type OpenKerasInputOptions } from './open-input.js';

/** Options of fromKeras. */
export interface FromKerasOptions extends KerasToTfjsOptions, Pick<OpenKerasInputOptions, 'fetch'> {}

/**
 * An `io.IOHandler` whose `load()` reads the Keras model `input` (path, http(s) URL or bytes)
 * and gives tfjs-layers its ModelArtifacts: the topology (Keras 3 configs translated), weight
 * specs named `layer/weight`, all weight bytes, `format: 'layers-model'`, `generatedBy: 'keras
 * v…'`, `convertedBy: 'tfweights …'`. Optimizer state is not included: tfjs-layers refuses
 * weight names it has no variable for. The file is read when `load()` is called.
 */
export function fromKeras(input: KerasInput, opts: FromKerasOptions = {}): TfjsIOHandler {
  return {
    async load() {
      const reader = await openKerasInput(input, opts);
      try {
        return await kerasModelArtifacts(reader, opts);
      } finally {
        await reader.close();
      }
    },
  };
}
