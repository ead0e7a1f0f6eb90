/**
 * Every writer checks each tensor at its boundary (core's checkTensor): a tensor whose
 * shape and bytes disagree, an unaddressable or non-integer shape, an empty key or a NUL in
 * the key is a typed error through save(), and the output never appears.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@tfweights/core';
import { save } from '../src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'tfw-boundary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tensor as a careless caller might build it (no makeTensor check). */
const raw = (key: string, shape: number[], bytes: number): Tensor =>
  ({ key, name: key, dtype: 'float32', shape, byteLength: bytes, data: new Uint8Array(bytes) }) as Tensor;

const bad: Record<string, Tensor> = {
  '10 floats carrying 12 bytes': raw('w', [10], 12),
  'shape [2^40] with 4 bytes': raw('w', [2 ** 40], 4),
  'shape [-1]': raw('w', [-1], 4),
  'shape [1.5]': raw('w', [1.5], 4),
  'empty key': raw('', [1], 4),
  'NUL in the key': raw('a\0b', [1], 4),
};
const outputs = ['out.ckpt', 'out.npz', 'out.npy', 'out.safetensors', 'tfjs-out/model.json', 'npy-out/', 'out.weights.h5'];

describe('writers refuse an inconsistent tensor and write nothing', () => {
  for (const out of outputs) {
    for (const [what, t] of Object.entries(bad)) {
      it(`${out}: ${what}`, async () => {
        const here = mkdtempSync(join(dir, 'case-'));
        const target = join(here, out);
        const err = await save([t], target).then(() => undefined, (e: unknown) => e);
        expect(err, String(err)).toMatchObject({ code: expect.stringMatching(/^(InvalidArgument|LimitExceeded)$/) });
        expect(existsSync(target.replace(/\/$/, '')), `${target} appeared`).toBe(false);
        expect(readdirSync(here), 'left files behind').toEqual([]);
      });
    }
  }
});
