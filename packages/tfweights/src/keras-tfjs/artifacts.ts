/**
 * tfjs-core ModelArtifacts for a Keras model read through our Keras reader: the translated
 * topology, the weight specs in model order and all weight bytes in one buffer. Browser-safe
 * (no file access; the reader is passed in) and does not load tfjs-core.
 */
import { InvalidArgumentError, isTfwError, type Tensor } from '@tfweights/core';
import { convertData, tfjsStorageDtype, type TfjsIOHandler, type TfjsModelArtifacts, type WeightsManifestEntry } from '@tfweights/tfjs/codec';
import { kerasTopologyForTfjs, type KerasModelMetadata, type TfjsKerasTopology } from './topology.js';
import { planTfjsWeights, type KerasLikeReader, type TfjsWeight } from './weights.js';
import { TFWEIGHTS_VERSION } from './version.js';

export type { TfjsIOHandler, TfjsModelArtifacts };

/** Options shared by fromKeras, convertKerasToTfjs and kerasModelArtifacts. */
export interface KerasToTfjsOptions {
  /**
   * The model config when the file has none (a `.weights.h5` / `save_weights` file): the
   * parsed or raw JSON of `model.to_json()` or a `.keras` `config.json`.
   */
  config?: unknown;
  /** Store float16/bfloat16 as float32 and 8/16-bit integers as int32 (exact). Default true. */
  widen?: boolean;
  /** Store float64 as float32 and int64 as int32 as the Python converter does. Default true. */
  downcast?: boolean;
  /** `convertedBy` of the artifacts; default `tfweights <version>`. */
  convertedBy?: string;
}

/** The metadata to build the topology from: the reader's, with `config` taking precedence. */
export function metadataFor(reader: KerasLikeReader & { readonly metadata?: Readonly<Record<string, unknown>> }, opts: KerasToTfjsOptions): KerasModelMetadata {
  const meta = reader.metadata ?? {};
  return opts.config !== undefined ? { ...meta, model_config: opts.config } : meta;
}

/** The tfjs topology of the model `reader` opened; errors name the file. */
export function topologyOf(reader: KerasLikeReader & { readonly metadata?: Readonly<Record<string, unknown>> }, opts: KerasToTfjsOptions): TfjsKerasTopology {
  try {
    return kerasTopologyForTfjs(metadataFor(reader, opts));
  } catch (err) {
    if (isTfwError(err) && err.file === undefined) throw new InvalidArgumentError(err.message, { file: reader.source, cause: err });
    throw err;
  }
}

/** `generatedBy` as the Python converter writes it: `keras v<version>`. */
export function generatedByOf(topology: TfjsKerasTopology): string {
  return `keras v${topology.keras_version}`;
}

/** Read a planned weight and convert it to the dtype tfjs stores. */
export async function readTfjsWeight(reader: KerasLikeReader, w: TfjsWeight, opts: KerasToTfjsOptions): Promise<{ tensor: Tensor; dtype: ReturnType<typeof tfjsStorageDtype>; data: Uint8Array }> {
  const conv = { widen: opts.widen ?? true, downcast: opts.downcast ?? true };
  const dtype = tfjsStorageDtype(w.info, conv, reader.source);
  const tensor = await reader.read(w.key);
  return { tensor, dtype, data: convertData(tensor, dtype, reader.source) };
}

/** Everything `tf.loadLayersModel` needs, read from an open Keras reader (left open). */
export async function kerasModelArtifacts(
  reader: KerasLikeReader & { readonly metadata?: Readonly<Record<string, unknown>> }, opts: KerasToTfjsOptions = {},
): Promise<TfjsModelArtifacts> {
  const modelTopology = topologyOf(reader, opts);
  const plan = planTfjsWeights(reader);
  const weightSpecs: WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const w of plan) {
    const { dtype, data } = await readTfjsWeight(reader, w, opts);
    weightSpecs.push({ name: w.name, shape: [...w.info.shape], dtype });
    parts.push(data);
  }
  const weightData = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.byteLength;
  }
  return {
    modelTopology: modelTopology as unknown as TfjsModelArtifacts['modelTopology'],
    weightSpecs: weightSpecs as TfjsModelArtifacts['weightSpecs'],
    weightData: weightData.buffer,
    format: 'layers-model',
    generatedBy: generatedByOf(modelTopology),
    convertedBy: opts.convertedBy ?? `tfweights ${TFWEIGHTS_VERSION}`,
  };
}
