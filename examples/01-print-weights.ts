/**
 * Example 1 — print every layer's weights with dtypes and shapes, from any file `open()`
 * reads: a Keras `.h5` / `.keras` / `.weights.h5`, a TF checkpoint, a SavedModel folder, an
 * `.npz`, a tfjs `model.json` … The format is detected from the content.
 *
 *   pnpm --filter @tfweights/examples exec tsx --conditions=source 01-print-weights.ts model.h5
 */
import { fileURLToPath } from 'node:url';
import { open, type TensorInfo } from 'tfweights';

export interface PrintedLayer {
  name: string;
  className?: string;
  weights: { key: string; name: string; dtype: string; shape: number[]; role?: string }[];
}

export async function main(args: string[], log: (line: string) => void = console.log): Promise<PrintedLayer[]> {
  const [input] = args;
  if (!input) throw new Error('usage: 01-print-weights.ts <weights file or folder>');
  const model = await open(input);
  try {
    log(`${input} (${model.format})`);
    const printed: PrintedLayer[] = [];
    const print = (name: string, className: string | undefined, weights: TensorInfo[]): void => {
      log(`  ${name}${className ? ` (${className})` : ''}`);
      for (const w of weights) {
        const role = w.role && w.role !== 'weight' ? `  [${w.role}]` : '';
        log(`    ${w.name}  ${w.dtype} [${w.shape.join(', ')}]${role}`);
      }
      printed.push({
        name,
        ...(className ? { className } : {}),
        weights: weights.map((w) => ({ key: w.key, name: w.name, dtype: w.dtype, shape: [...w.shape], ...(w.role ? { role: w.role } : {}) })),
      });
    };
    // A checkpoint's object graph is stored as a tensor too; it is not a weight.
    const notMetadata = (w: TensorInfo): boolean => w.role !== 'metadata';
    const layers = model.layers();
    for (const layer of layers) {
      const weights = layer.weights.map((key) => model.info(key)).filter(notMetadata);
      if (weights.length > 0) print(layer.name, layer.className, weights); // skips InputLayer, Flatten, pooling …
    }
    // Optimizer state and counters that belong to no layer (a Keras .h5's optimizer_weights …).
    const inLayers = new Set(layers.flatMap((l) => l.weights));
    const rest = model.list().filter((w) => !inLayers.has(w.key) && notMetadata(w));
    if (rest.length > 0) print('(not in a layer)', undefined, rest);
    return printed;
  } finally {
    await model.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
