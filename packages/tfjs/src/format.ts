/**
 * Format descriptor for tfjs model.json: a JSON object whose first 4 KiB name
 * `modelTopology`, `weightsManifest` or a tfjs `format` value, or a bare weights manifest (a JSON
 * list of `{paths, weights}` groups, as face-api.js ships its `*-weights_manifest.json`). (Shards have no magic; they are
 * found through model.json.)
 */
import type { Format, SniffInput } from '@tfweights/core';

export const tfjsFormat: Format = {
  id: 'tfjs',
  title: 'TensorFlow.js model (model.json + weight shards)',
  extensions: ['model.json', '.json'],
  sniff(input: SniffInput): boolean {
    const head = new TextDecoder('utf-8', { fatal: false }).decode(input.head);
    // A bare weights manifest (face-api.js `*-weights_manifest.json`): a list of {paths, weights} groups.
    if (head.trimStart().startsWith('[')) return /"paths"\s*:/.test(head) && /"weights"\s*:/.test(head);
    if (!head.trimStart().startsWith('{')) return false;
    return /"(modelTopology|weightsManifest)"\s*:/.test(head) || /"format"\s*:\s*"(layers-model|graph-model)"/.test(head);
  },
};
