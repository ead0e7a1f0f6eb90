/** Format descriptors for the registry: detection by magic, never by extension. */
import { MAGIC, startsWith, type Format, type SniffInput } from '@tfweights/core';

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Legacy Keras HDF5 (`model.save('m.h5')`, `save_weights('w.h5')`); also accepts any HDF5 file. */
export const kerasH5Format: Format = {
  id: 'keras-h5',
  title: 'Keras HDF5 (.h5)',
  extensions: ['.h5', '.hdf5', '.keras.h5'],
  sniff: (input: SniffInput) => startsWith(input.head, MAGIC.hdf5),
};

/** Keras 3 `.keras` archive (zip holding model.weights.h5) or `.weights.h5`. */
export const keras3Format: Format = {
  id: 'keras3',
  title: 'Keras 3 (.keras, .weights.h5)',
  extensions: ['.keras', '.weights.h5'],
  sniff: (input: SniffInput) => {
    if (!startsWith(input.head, MAGIC.zipLocal)) return false;
    const text = latin1(input.head.subarray(0, 4096));
    return text.includes('model.weights.h5') || (text.includes('metadata.json') && text.includes('config.json'));
  },
};
