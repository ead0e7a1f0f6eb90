/** The checkpoint Format descriptor: an SSTable magic in the last 8 bytes (a `.index`). */
import { MAGIC, startsWith, type Format, type SniffInput } from '@tfweights/core';

export const checkpointFormat: Format = {
  id: 'checkpoint',
  title: 'TensorFlow checkpoint (tensor bundle)',
  extensions: ['.index', '.ckpt'],
  sniff(input: SniffInput): boolean {
    return input.size >= 48 && input.tail.length >= 8 && startsWith(input.tail, MAGIC.sstable, input.tail.length - 8);
  },
};
