/**
 * Bytes a conversion put on disk: a file's size, a folder's total (npy folder, tfjs, SavedModel),
 * or a checkpoint prefix's `.index` and `.data-*` files together.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function outputSize(path: string): number | undefined {
  const st = statOrUndefined(path);
  if (st?.isFile()) return st.size;
  if (st?.isDirectory()) return folderSize(path);
  // A checkpoint prefix: `<prefix>.index` and `<prefix>.data-XXXXX-of-YYYYY` beside it.
  const dir = dirname(path);
  const stem = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const parts = names.filter((n) => n === `${stem}.index` || n.startsWith(`${stem}.data-`));
  return parts.length === 0 ? undefined : parts.reduce((s, n) => s + (statOrUndefined(join(dir, n))?.size ?? 0), 0);
}

function folderSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += folderSize(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
