/** `open()`: any weights file by path, URL or bytes, format detected from its content. */
import { readAll, sniffInputOf, type ByteSource } from '@tfweights/core';
import { defaultRegistry, type OpenOptions } from './formats/index.js';
import { openKerasInput } from './keras-tfjs/open-input.js';
import { asSource, openSource } from './open-source.js';
import { WeightsFile } from './weights-file.js';
import { kerasH5Format, keras3Format } from '@tfweights/keras';

/**
 * Open weights, detecting the format from the content (never from the extension).
 *
 * - a path: a checkpoint (prefix, `.index`, a shard, or a directory with a `checkpoint`
 *   file), a SavedModel directory, a Keras `.h5` / `.weights.h5` / `.keras`, `.npy`,
 *   `.npz`, a folder of `.npy`, a tfjs `model.json`, or a `.safetensors` file;
 * - the same at a URL: `http(s)://`, `s3://bucket/key`, `gs://bucket/key`,
 *   `hf://owner/repo/path[@rev]` (read lazily with ranged requests; siblings such as shards,
 *   `variables/` and the `checkpoint` state file are found beside it);
 * - bytes or a ByteSource of a single-file format.
 *
 * `opts.config` (paths only): the Keras model config for a Keras 3 `.weights.h5`, so its
 * variables get their names (`dense/kernel`) instead of `layers/dense/vars/0`.
 *
 * @example
 * const model = await open('model.h5');
 * for (const layer of model.layers()) console.log(layer.name, layer.weights);
 * const kernel = await model.read('dense/kernel');
 * await model.close();
 */
export async function open(input: string | ByteSource | Uint8Array | ArrayBuffer, opts: OpenOptions = {}): Promise<WeightsFile> {
  if (typeof input === 'string') return new WeightsFile(await defaultRegistry().open(input, opts));
  const source = asSource(input);
  const sniff = await sniffInputOf(source);
  if (kerasH5Format.sniff(sniff) || keras3Format.sniff(sniff)) {
    // h5wasm reads files, not ranges: Keras bytes go through a temporary file.
    return new WeightsFile(await openKerasInput(await readAll(source)));
  }
  return new WeightsFile(await openSource(source));
}
