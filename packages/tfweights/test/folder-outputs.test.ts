/**
 * Folder outputs (tfjs, npy folder) are committed as a whole: a forced overwrite leaves none
 * of the old folder's files (an old third shard, an old tensor's .npy), a folder tfweights did
 * not write is refused (with or without overwrite) and left as it was, and a refused or failed
 * write leaves the old folder intact.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTensor, type Tensor } from '@tfweights/core';
import { open, save } from '../src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'tfw-folders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tensors = (n: number, bytes: number): Tensor[] =>
  Array.from({ length: n }, (_, i) => makeTensor(`layer${i}/kernel`, 'float32', [bytes / 4], new Uint8Array(bytes).fill(i + 1)));

async function keys(path: string): Promise<string[]> {
  const r = await open(path);
  try {
    return r.list().map((t) => t.key).sort();
  } finally {
    await r.close();
  }
}

const FOLDERS = [
  { name: 'tfjs', out: 'model', opts: { format: 'tfjs' as const }, marker: 'model.json' },
  { name: 'npy folder', out: 'arrays', opts: { format: 'npy' as const }, marker: 'index.json' },
];

describe('folder outputs never mix old and new files', () => {
  for (const f of FOLDERS) {
    it(`${f.name}: a forced overwrite removes every file of the old output`, async () => {
      const out = join(dir, `${f.out}-force`);
      // Three 2 MiB tensors: tfjs writes several 4 MiB shards; the npy folder three files.
      await save(tensors(3, 2 << 20), out, f.opts);
      const before = readdirSync(out).sort();
      await save(tensors(1, 16), out, { ...f.opts, overwrite: true });
      const after = readdirSync(out).sort();
      expect(after.length).toBeLessThan(before.length);
      expect(after.filter((n) => before.includes(n) && n !== f.marker && !/group1-shard1of1|layer0/.test(n)), 'old files kept').toEqual([]);
      expect(await keys(out)).toEqual(['layer0/kernel']);
      expect(readdirSync(dir).filter((n) => n.includes('.tfw-')), 'temporary folders left').toEqual([]);
    });

    it(`${f.name}: an old stray file in our folder is gone after --force`, async () => {
      const out = join(dir, `${f.out}-stray`);
      await save(tensors(1, 16), out, f.opts);
      writeFileSync(join(out, 'group1-shard3of3.bin'), 'old shard');
      await save(tensors(2, 16), out, { ...f.opts, overwrite: true });
      expect(readdirSync(out)).not.toContain('group1-shard3of3.bin');
      expect(await keys(out)).toEqual(['layer0/kernel', 'layer1/kernel']);
    });

    it(`${f.name}: a folder tfweights did not write is refused and left alone`, async () => {
      const out = join(dir, `${f.out}-foreign`);
      mkdirSync(out);
      writeFileSync(join(out, 'notes.txt'), 'mine');
      for (const overwrite of [false, true]) {
        const err = await save(tensors(1, 16), out, { ...f.opts, overwrite }).then(() => undefined, (e: unknown) => e);
        expect(err, String(err)).toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/did not write/) });
      }
      expect(readdirSync(out)).toEqual(['notes.txt']);
      expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
      expect(readdirSync(dir).filter((n) => n.includes('.tfw-')), 'temporary folders left').toEqual([]);
    });

    it(`${f.name}: our folder is refused without overwrite and kept whole`, async () => {
      const out = join(dir, `${f.out}-keep`);
      await save(tensors(2, 16), out, f.opts);
      const before = readdirSync(out).sort();
      const err = await save(tensors(1, 16), out, f.opts).then(() => undefined, (e: unknown) => e);
      expect(err, String(err)).toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/already exists/) });
      expect(readdirSync(out).sort()).toEqual(before);
      expect(await keys(out)).toEqual(['layer0/kernel', 'layer1/kernel']);
    });

    it(`${f.name}: an empty existing folder is written into`, async () => {
      const out = join(dir, `${f.out}-empty`);
      mkdirSync(out);
      await save(tensors(1, 16), out, f.opts);
      expect(await keys(out)).toEqual(['layer0/kernel']);
    });
  }
});
