/**
 * Example 5 — load weights into a @tensorflow/tfjs-layers model and run `predict`.
 *   - A Keras file with a model config (`model.save` .h5, `.keras`): tfjs builds the model
 *     from that config and loads the weights, through `fromKeras`.
 *   - Any other file (TF checkpoint, weights-only .h5, .npz …): give the model's Keras config
 *     (`model.to_json()`); the model is built from it and each layer gets the file's weights,
 *     layer by layer in model order.
 * The input is a JSON batch (default: one row of ones).
 *
 *   pnpm --filter @tfweights/examples exec tsx --conditions=source 05-predict-tfjs.ts model.h5
 *   pnpm --filter @tfweights/examples exec tsx --conditions=source 05-predict-tfjs.ts data/iris-mlp data/iris-mlp/model.json '[[5.1, 3.5, 1.4, 0.2]]'
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fromKeras, kerasTopologyForTfjs, open, type WeightsFile } from 'tfweights';
import { toTfTensor } from 'tfweights/tfjs';

export interface Prediction {
  shape: number[];
  values: number[];
}

export async function main(args: string[], log: (line: string) => void = console.log): Promise<Prediction> {
  const [input, configPath, batch] = args;
  if (!input) throw new Error("usage: 05-predict-tfjs.ts <weights file> [keras model json | ''] [input batch as JSON]");
  const config: unknown = configPath ? JSON.parse(readFileSync(configPath, 'utf8')) : undefined;
  const file = await open(input);
  let model: tfl.LayersModel;
  try {
    const isKeras = file.format === 'keras-h5' || file.format === 'keras3';
    model = isKeras && (config !== undefined || file.metadata?.model_config !== undefined)
      ? await tfl.loadLayersModel(fromKeras(input, config !== undefined ? { config } : {}))
      : await buildAndFill(file, config);
  } finally {
    await file.close();
  }
  // The model's input shape, with a batch of one row of ones unless an input is given.
  const shape = model.inputs[0]!.shape.map((d) => d ?? 1);
  const x = batch ? tf.tensor(JSON.parse(batch) as number[][]) : tf.ones(shape);
  const y = model.predict(x) as tf.Tensor;
  const out = { shape: y.shape, values: Array.from(await y.data()) };
  log(`input [${x.shape.join(', ')}] → output [${out.shape.join(', ')}]`);
  for (let r = 0; r < out.values.length; r += out.shape.at(-1)!) log(`  ${out.values.slice(r, r + out.shape.at(-1)!).map((v) => v.toFixed(5)).join('  ')}`);
  tf.dispose([x, y]);
  model.dispose();
  return out;
}

/** Build the model from a Keras config, then set each layer's weights from the file, in model order. */
async function buildAndFill(file: WeightsFile, config: unknown): Promise<tfl.LayersModel> {
  if (config === undefined) throw new Error(`${file.source} holds no model config: pass the Keras model JSON`);
  const model = await tfl.loadLayersModel({ load: async () => ({ modelTopology: kerasTopologyForTfjs({ model_config: config }) as tf.io.ModelArtifacts['modelTopology'] }) });
  const stored = file.layers()
    .map((l) => l.weights.map((k) => file.info(k)).filter((w) => w.role === 'weight'))
    .filter((ws) => ws.length > 0);
  const layers = model.layers.filter((l) => l.weights.length > 0);
  if (stored.length !== layers.length) throw new Error(`the file has ${stored.length} layers with weights, the model ${layers.length}`);
  for (const [i, layer] of layers.entries()) {
    // Match each variable by its own name (kernel, bias …): formats do not all list them in the same order.
    const values = await Promise.all(layer.weights.map(async (v) => {
      const own = v.originalName.split('/').at(-1)!;
      const w = stored[i]!.find((s) => s.name.split('/').at(-1) === own);
      if (!w) throw new Error(`layer ${layer.name}: no '${own}' among ${stored[i]!.map((s) => s.name).join(', ')}`);
      return toTfTensor(await file.read(w.key));
    }));
    layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
