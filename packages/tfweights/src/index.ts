/**
 * tfweights (browser entry): the tensor core, every codec that works from bytes, tensor
 * sets and overlays, the Keras → tfjs topology translation and the tfjs-core bridge.
 * In Node, `import … from 'tfweights'` resolves to `./node.ts` instead, which adds
 * `open()` / `save()` on paths and the converter pipeline.
 *
 * @packageDocumentation
 */
export * from './common.js';
