/**
 * Example 4 — export each layer's weights to `.npy` files, one folder per layer:
 * `out/<layer>/<weight>.npy` (`out/Conv2D_1/kernel.npy`, `out/encoder/dense_a/kernel.npy` …),
 * which NumPy reads with `np.load`. Optimizer state is left out unless `--all` is given.
 *
 *   pnpm --filter @tfweights/examples exec tsx --conditions=source 04-export-npy.ts model.h5 out/ [--all]
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '@tfweights/npy/node';
import { open } from 'tfweights';

export interface ExportedFile {
  file: string;
  key: string;
  name: string;
  dtype: string;
  shape: number[];
}

/** A weight name as a relative path: names come from the file, so no '..' and no odd characters. */
function safePath(name: string): string {
  return name.split('/').map((part) => part.replace(/[^\w.-]/g, '_').replace(/^\.+$/, '_')).join('/');
}

export async function main(args: string[], log: (line: string) => void = console.log): Promise<ExportedFile[]> {
  const [input, outDir, flag] = args;
  if (!input || !outDir) throw new Error('usage: 04-export-npy.ts <weights file> <output folder> [--all]');
  const model = await open(input);
  const exported: ExportedFile[] = [];
  try {
    // Each layer's weights; with --all also what belongs to no layer (optimizer state, counters).
    const inLayers = model.layers().flatMap((l) => l.weights);
    const rest = flag === '--all' ? model.list().map((i) => i.key).filter((k) => !inLayers.includes(k)) : [];
    for (const key of [...inLayers, ...rest]) {
      const info = model.info(key);
      if (info.dtype === 'string' || ((info.role ?? 'weight') !== 'weight' && flag !== '--all')) continue;
      const file = join(outDir, `${safePath(info.name)}.npy`);
      await mkdir(dirname(file), { recursive: true });
      await writeNpy(file, await model.read(key), { overwrite: true });
      exported.push({ file, key: info.key, name: info.name, dtype: info.dtype, shape: [...info.shape] });
      log(`${file}  ${info.dtype} [${info.shape.join(', ')}]`);
    }
    return exported;
  } finally {
    await model.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
