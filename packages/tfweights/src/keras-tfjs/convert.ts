/**
 * Node: convert a Keras `.h5` / `.weights.h5` (+ config) / `.keras` into a tfjs layers model
 * folder (model.json + shards), like `tensorflowjs_converter --input_format keras`.
 */
import { makeTensor } from '@tfweights/core';
import type { ModelJson } from '@tfweights/tfjs/codec';
import { writeTfjsModel, type WriteTfjsModelOptions } from '@tfweights/tfjs/node';
import { generatedByOf, readTfjsWeight, topologyOf, type KerasToTfjsOptions } from './artifacts.js';
import { openKerasInput, type KerasInput } from './open-input.js';
import { planTfjsWeights } from './weights.js';
import { TFWEIGHTS_VERSION } from './version.js';

/** Options of convertKerasToTfjs: conversion options plus the tfjs writer's (shards, quantization, overwrite). */
export interface ConvertKerasToTfjsOptions
  extends KerasToTfjsOptions, Pick<WriteTfjsModelOptions, 'shardSize' | 'quantize' | 'overwrite' | 'modelJsonName'> {}

/**
 * Write `outDir/model.json` and its weight shards for the Keras model at `keras` (path, URL or
 * bytes). Weights are named `layer/weight` in model order, optimizer state left out; the
 * topology is the file's model config (Keras 3 translated to the Keras 2 form tfjs-layers
 * reads). Written atomically; returns the model.json written.
 */
export async function convertKerasToTfjs(keras: KerasInput, outDir: string, opts: ConvertKerasToTfjsOptions = {}): Promise<ModelJson> {
  const reader = await openKerasInput(keras, opts);
  try {
    const modelTopology = topologyOf(reader, opts);
    const tensors = [];
    for (const w of planTfjsWeights(reader)) {
      const { dtype, data } = await readTfjsWeight(reader, w, opts);
      tensors.push(makeTensor(w.name, dtype, w.info.shape, data));
    }
    return await writeTfjsModel(outDir, tensors, {
      modelTopology,
      format: 'layers-model',
      generatedBy: generatedByOf(modelTopology),
      convertedBy: opts.convertedBy ?? `tfweights ${TFWEIGHTS_VERSION}`,
      ...(opts.shardSize !== undefined ? { shardSize: opts.shardSize } : {}),
      ...(opts.quantize !== undefined ? { quantize: opts.quantize } : {}),
      ...(opts.overwrite !== undefined ? { overwrite: opts.overwrite } : {}),
      ...(opts.modelJsonName !== undefined ? { modelJsonName: opts.modelJsonName } : {}),
    });
  } finally {
    await reader.close();
  }
}
