/**
 * The tfjs-core `io` types our handlers produce, declared structurally (after tfjs-core
 * `src/io/types.ts`: ModelArtifacts, WeightsManifestEntry, IOHandler) so the codec's type
 * declarations do not import @tensorflow/tfjs-core: it is an optional peer, and consumers who
 * only read files neither install it nor type-check its declarations. Values of these types are
 * assignable to tfjs-core's, so `tf.loadLayersModel(handler)` accepts them.
 */

/** The dtypes tfjs-core tensors have. */
export type TfjsDataType = 'float32' | 'int32' | 'bool' | 'complex64' | 'string';

/** tfjs-core `io.WeightsManifestEntry`. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: TfjsDataType;
  group?: 'model' | 'optimizer';
  quantization?: { scale?: number; min?: number; dtype: 'uint16' | 'uint8' | 'float16'; original_dtype?: TfjsDataType };
}

/** tfjs-core `io.ModelArtifacts` (the fields tfweights fills; others are passed through as stored). */
export interface TfjsModelArtifacts {
  modelTopology?: {} | ArrayBuffer;
  weightSpecs?: TfjsWeightSpec[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: {};
  userDefinedMetadata?: { [key: string]: {} };
  modelInitializer?: {};
  initializerSignature?: {};
}

/** tfjs-core `io.IOHandler` that loads (what `tf.loadLayersModel` / `tf.loadGraphModel` take). */
export interface TfjsIOHandler {
  load(): Promise<TfjsModelArtifacts>;
}
