/** Small name helpers shared by the readers and writers. */

/** File name without folders and without a final `.npy` / `.npz`: the key of a single `.npy`. */
export function fileStem(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.np[yz]$/i, '');
}
