/**
 * Example 3 — edit weights and write the result for Keras and for TensorFlow:
 *   1. scale one layer's kernel by 0.8 (default: the first Dense layer),
 *   2. prune: set every kernel value whose magnitude is below a threshold to 0,
 *   3. double the first convolution's kernel,
 * then save as a legacy Keras `.h5` (a legacy input's model config and optimizer state are kept)
 * and as a TF2 checkpoint (with an object graph). Everything not edited is copied unchanged.
 * See RELEARNING.md for loading the result in Keras and training on.
 *
 *   pnpm --filter @tfweights/examples exec tsx --conditions=source 03-edit-and-save.ts model.h5 out/ [--layer dense] [--threshold 0.01]
 *
 * Writes out/edited.h5 and out/edited-ckpt/ckpt.{index,data-00000-of-00001}.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mapValues, open, save, type Tensor, type TensorInfo } from 'tfweights';

export interface EditResult {
  h5: string;
  checkpoint: string;
  /** Key of each edited kernel → what was done to it, in order. */
  edits: Record<string, string[]>;
}

export async function main(args: string[], log: (line: string) => void = console.log): Promise<EditResult> {
  const { positionals: [input, outDir], values: opts } = parseArgs({
    args, allowPositionals: true, options: { layer: { type: 'string' }, threshold: { type: 'string', default: '0.01' } },
  });
  if (!input || !outDir) throw new Error('usage: 03-edit-and-save.ts <weights file> <output folder> [--layer <layer to scale>] [--threshold <prune below>]');
  const threshold = Number(opts.threshold);
  if (!(threshold >= 0)) throw new Error(`--threshold must be a number >= 0, not '${opts.threshold}'`);
  const model = await open(input);
  try {
    const isKernel = (w: TensorInfo): boolean => w.role === 'weight' && /(^|\/)(depthwise_)?kernel$/.test(w.name);
    const kernelOf = (layer: string): TensorInfo | undefined => model.layer(layer).weights.find(isKernel);
    const layers = model.layers().filter((l) => l.weights.some((k) => isKernel(model.info(k))));

    // Edits accumulate here, keyed by the file's own keys; each step starts from the previous one.
    const edited = new Map<string, Tensor>();
    const edits: Record<string, string[]> = {};
    const edit = async (w: TensorInfo, what: string, fn: (v: number) => number): Promise<void> => {
      edited.set(w.key, mapValues(edited.get(w.key) ?? (await model.read(w.key)), fn));
      (edits[w.key] ??= []).push(what);
    };

    // 1. Scale one layer's kernel by 0.8.
    const dense = opts.layer ?? layers.find((l) => l.className === 'Dense')?.name ?? layers.find((l) => kernelOf(l.name)!.shape.length === 2)?.name;
    const scaled = dense === undefined ? undefined : kernelOf(dense);
    if (!scaled) throw new Error(`no kernel to scale in ${dense ?? 'any layer'}`);
    await edit(scaled, 'scale 0.8', (v) => v * 0.8);
    log(`scaled ${scaled.name} by 0.8`);

    // 2. Prune: zero every kernel value below the magnitude threshold.
    let zeroed = 0;
    for (const w of model.list().filter(isKernel)) {
      await edit(w, `prune <${threshold}`, (v) => (Math.abs(v) < threshold ? (zeroed++, 0) : v));
    }
    log(`pruned ${zeroed} kernel values with |v| < ${threshold}`);

    // 3. Double the first convolution's kernel (by class when the file knows it, else a 3-D+ kernel).
    const conv = layers.find((l) => /Conv/.test(l.className ?? '')) ?? layers.find((l) => kernelOf(l.name)!.shape.length >= 3);
    if (conv) {
      await edit(kernelOf(conv.name)!, 'double', (v) => v * 2);
      log(`doubled ${kernelOf(conv.name)!.name}`);
    } else log('no convolution in this model: step 3 skipped');

    // Save: the overlay keeps every other tensor, the layer order and the model config.
    const result = model.withValues(edited.values());
    const h5 = join(outDir, 'edited.h5');
    const checkpoint = join(outDir, 'edited-ckpt', 'ckpt');
    await save(result, h5, { overwrite: true });
    await save(result, checkpoint, { format: 'checkpoint', overwrite: true });
    log(`wrote ${h5} and ${checkpoint}`);
    return { h5, checkpoint, edits };
  } finally {
    await model.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
