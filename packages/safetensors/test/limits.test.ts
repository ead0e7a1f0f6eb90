/** Safetensors headers from strangers: deep nesting is a typed error, not a stack overflow. */
import { describe, expect, it } from 'vitest';
import { parseHeader } from '../src/header.js';

function header(json: string): Uint8Array {
  return new TextEncoder().encode(json);
}

describe('safetensors header limits', () => {
  it('a 5,000-deep shape is LimitExceeded naming the file', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const h = header(`{"w": {"dtype": "F32", "shape": ${deep}, "data_offsets": [0, 4]}}`);
    expect(() => parseHeader(h, 8 + h.byteLength + 4, 'deep.safetensors')).toThrow(expect.objectContaining({ code: 'LimitExceeded', file: 'deep.safetensors' }));
  });
  it('an ordinary header still parses', () => {
    const h = header('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}');
    expect(parseHeader(h, 8 + h.byteLength + 4, 'ok.safetensors').entries.map((e) => e.name)).toEqual(['w']);
  });
});
