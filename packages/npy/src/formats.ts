/** Format descriptors for the registry: sniffed on magic numbers, never on extensions. */
import { MAGIC, startsWith, type Format, type SniffInput } from '@tfweights/core';

/** A single `.npy` array: starts with `\x93NUMPY`. */
export const npyFormat: Format = {
  id: 'npy',
  title: 'NumPy .npy array',
  extensions: ['.npy'],
  sniff: (input: SniffInput) => startsWith(input.head, MAGIC.npy),
};

/**
 * An `.npz`: a zip whose first member's name ends in `.npy` (np.savez writes only `.npy`
 * members), or an empty zip with no members named otherwise.
 */
export const npzFormat: Format = {
  id: 'npz',
  title: 'NumPy .npz archive',
  extensions: ['.npz'],
  sniff: (input: SniffInput) => {
    const h = input.head;
    if (!startsWith(h, MAGIC.zipLocal) || h.length < 30) return false;
    const nameLen = h[26]! | (h[27]! << 8);
    if (h.length < 30 + nameLen) return false;
    const name = String.fromCharCode(...h.subarray(30, 30 + nameLen));
    return name.endsWith('.npy');
  },
};
