/**
 * Example 2 — get specific weights by layer name, like Keras
 * `model.get_layer(name).get_weights()`, including layers inside a nested model
 * (`encoder/dense_a`), or one weight by its name (`dense/kernel`).
 *
 *   pnpm --filter @tfweights/examples exec tsx --conditions=source 02-get-weights.ts model.h5 encoder encoder/dense_a head/kernel
 */
import { fileURLToPath } from 'node:url';
import { isTfwError, open, toFloat64, type Tensor } from 'tfweights';

export async function main(args: string[], log: (line: string) => void = console.log): Promise<Record<string, Tensor[]>> {
  const [input, ...names] = args;
  if (!input || names.length === 0) throw new Error('usage: 02-get-weights.ts <weights file> <layer, nested/layer or layer/weight> …');
  const model = await open(input);
  const found: Record<string, Tensor[]> = {};
  try {
    for (const name of names) {
      let weights: Tensor[];
      try {
        weights = await model.readLayer(name); // a layer, or a path into a nested model
      } catch (err) {
        if (!isTfwError(err)) throw err;
        weights = [await model.read(name)]; // else one weight by name (throws, naming close matches, if absent)
      }
      log(`${name}:`);
      for (const w of weights) {
        const head = Array.from(toFloat64(w).subarray(0, 4), (v) => +v.toFixed(4));
        log(`  ${w.name}  ${w.dtype} [${w.shape.join(', ')}]  ${head.join(', ')}${w.data.byteLength > 4 * 4 ? ' …' : ''}`);
      }
      found[name] = weights;
    }
    return found;
  } finally {
    await model.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
