/**
 * Safetensors headers fuzzed as JSON (dtypes, shapes, offsets, `__metadata__`, `__proto__`
 * keys, 10^5-deep nesting, lengths) and as bytes: every run is a valid read or a typed error.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '@tfweights/core';
import { fuzzCount, mutateBytes, NASTY_INTEGERS, putLE, runFuzz } from '@tfweights/testkit';
import { openSafetensorsSource } from '../src/index.js';

const enc = new TextEncoder();
const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const NASTY: unknown[] = [-1, 1.5, 2 ** 40, 2 ** 53, null, 'F32', 'BF16', 'F8_E4M3', 'x', [], {}, [-1], [1.5], [2 ** 31, 2 ** 31], [0, 2 ** 53], [8, 4], [0, 16], ['0', '4'], '__proto__'];
const FIELDS = ['dtype', 'shape', 'data_offsets', '__proto__'];

function file(header: string, data: Uint8Array): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  putLE(out, 0, 8, BigInt(h.length));
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function mutate(_: unknown, rand: () => number): Uint8Array {
  const header: Record<string, any> = {
    __metadata__: { format: 'pt' },
    a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
    b: { dtype: 'I64', shape: [1], data_offsets: [16, 24] },
    c: { dtype: 'BOOL', shape: [2], data_offsets: [24, 26] },
  };
  const data = new Uint8Array(26).map((_, i) => i);
  const k = Math.floor(rand() * 8);
  const t = pick(rand, ['a', 'b', 'c']);
  if (k === 0) header[t][pick(rand, FIELDS)] = pick(rand, NASTY);
  else if (k === 1) delete header[t][pick(rand, FIELDS)];
  else if (k === 2) header.__metadata__ = pick(rand, [null, 3, { k: 1 }, { k: 'v' }, []]);
  else if (k === 3) header[pick(rand, ['', '__proto__', 'constructor', 'x\u0000y', 'a'.repeat(70000)])] = structuredClone(header[t]);
  let text = JSON.stringify(header);
  if (k === 4) text = text.replace('"shape":[2,2]', `"shape":${'['.repeat(pick(rand, [20, 5000, 100000]))}${']'.repeat(5000)}`);
  if (k === 5) text = text.replace('"a":{', '"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{');
  let bytes = file(text, data);
  if (k === 6) putLE(bytes, 0, 8, pick(rand, NASTY_INTEGERS));
  if (k === 7 || rand() < 0.2) bytes = mutateBytes(bytes, rand);
  return bytes;
}

describe('safetensors fuzz', () => {
  it(`${fuzzCount()} mutants of a safetensors file end in a valid read or a typed error`, async () => {
    const report = await runFuzz({
      format: 'safetensors', seeds: [null], seed: 9, mutate,
      exercise: async (bytes) => {
        const r = await openSafetensorsSource(new MemorySource(bytes, 'fuzz.safetensors'));
        for (const info of r.list()) await r.read(info.key);
      },
      check: (err) => expect(err.file, err.message).toBe('fuzz.safetensors'),
    });
    expect(report.typed).toBeGreaterThan(report.mutants / 4);
    expect(report.valid).toBeGreaterThan(0);
  }, 3_600_000);
});
