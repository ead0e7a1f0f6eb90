/**
 * A tfjs-core `IOHandler` over a TfjsReader, so `tf.loadLayersModel(handler)` /
 * `tf.loadGraphModel(handler)` load a model through our reader (any ByteSource: files,
 * HTTP ranges, memory) — no tfjs-node needed. Neither loads nor names tfjs-core: the handler's
 * types are declared structurally in `tfjs-io-types.ts`.
 */
import type { TfjsIOHandler, TfjsModelArtifacts, TfjsWeightSpec } from './tfjs-io-types.js';
import type { TfjsReader } from './reader.js';

/** An IOHandler whose `load()` gives the model's artifacts with shard bytes concatenated. */
export function readerIOHandler(reader: TfjsReader): TfjsIOHandler {
  return {
    async load(): Promise<TfjsModelArtifacts> {
      const m = reader.model;
      const weightSpecs: TfjsWeightSpec[] = [];
      const buffers: Uint8Array[] = [];
      for (const [gi, group] of m.weightsManifest.entries()) {
        if (group.weights.length === 0) continue;
        weightSpecs.push(...(group.weights as TfjsWeightSpec[]));
        const src = await reader.groupSource(gi);
        buffers.push(await src.read(0, src.size, `shards of group ${gi + 1}`));
      }
      const total = buffers.reduce((s, b) => s + b.byteLength, 0);
      const weightData = new Uint8Array(total);
      let at = 0;
      for (const b of buffers) {
        weightData.set(b, at);
        at += b.byteLength;
      }
      const artifacts: TfjsModelArtifacts = {
        modelTopology: m.modelTopology as TfjsModelArtifacts['modelTopology'],
        weightSpecs,
        weightData: weightData.buffer,
      };
      if (typeof m.format === 'string') artifacts.format = m.format;
      if (typeof m.generatedBy === 'string') artifacts.generatedBy = m.generatedBy;
      if (typeof m.convertedBy === 'string') artifacts.convertedBy = m.convertedBy;
      for (const k of ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const) {
        if (m[k] !== undefined) (artifacts as unknown as Record<string, unknown>)[k] = m[k];
      }
      return artifacts;
    },
  };
}
