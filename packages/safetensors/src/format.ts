/** Format descriptor: 8-byte little-endian header length, then a JSON object. */
import type { Format, SniffInput } from '@tfweights/core';
import { MAX_HEADER_SIZE } from './header.js';

export const safetensorsFormat: Format = {
  id: 'safetensors',
  title: 'safetensors',
  extensions: ['.safetensors'],
  sniff(input: SniffInput): boolean {
    const { head, size } = input;
    if (head.byteLength < 9 || size < 10) return false;
    const view = new DataView(head.buffer, head.byteOffset, 8);
    const n = view.getUint32(0, true);
    return view.getUint32(4, true) === 0 && n >= 2 && n <= MAX_HEADER_SIZE && 8 + n <= size && head[8] === 0x7b;
  },
};
