/**
 * kill -9 at each step of the commit of a multi-file output replacing an old one (--force):
 * a tfjs folder and an npy folder (AtomicFolder: the old folder moved aside, the new one
 * renamed in, the old removed) and a checkpoint (AtomicFileSet: old `.index` removed, `.data`
 * renamed, new `.index` renamed last). The CLI runs with test/helpers/kill-at.mjs preloaded,
 * which sends SIGKILL to itself just before the K-th rename (or the rm after it). After each
 * kill the output reads as the old set or the new set, never a mix (same files, same values);
 * the only other state is no output at all, in the instant between two renames, with the
 * old/new set kept whole under a temporary name. The next run names that leftover and fails;
 * --force removes it and writes the new output.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@tfweights/core';
import { npzBytes } from '@tfweights/npy';
import { tempDir, runProcess } from '@tfweights/testkit';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const killAt = join(appDir, 'test/helpers/kill-at.mjs');
const tmp = tempDir('tfw-interrupt-swap-');
afterAll(() => tmp.cleanup());
const oldInput = join(tmp.path, 'old.npz');
const newInput = join(tmp.path, 'new.npz');

beforeAll(async () => {
  // Old: two 3 MiB tensors (two tfjs shards); new: other names and values, one small shard.
  const f = (key: string, n: number, v: number) => makeTensor(key, 'float32', [n], new Uint8Array(new Float32Array(n).fill(v).buffer));
  writeFileSync(oldInput, await npzBytes([f('a/x', 3 << 18, 1), f('a/y', 3 << 18, 1), f('b/z', 4, 1)]));
  writeFileSync(newInput, await npzBytes([f('a/x', 16, 2), f('c/w', 8, 2), f('d/u', 4, 2)]));
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runProcess(process.execPath, ['--import', killAt, '--conditions=source', '--import', 'tsx', 'src/bin.ts', ...args], { cwd: appDir, env: { ...process.env, ...env } });

async function diffExit(a: string, b: string): Promise<number> {
  return main(['diff', a, b], memoryIo());
}

const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.tfw-'));

interface Kind {
  name: string;
  out: string;
  to: string;
  /** What `ls`/`diff` open. */
  readAs: (out: string) => string;
  /** The kill points of a commit over an existing output. */
  steps: string[];
}

const KINDS: Kind[] = [
  { name: 'tfjs folder', out: 'tfjs_out', to: 'tfjs', readAs: (o) => join(o, 'model.json'), steps: ['rename:1', 'rename:2', 'rm:2'] },
  { name: 'npy folder', out: 'npy_out', to: 'npy', readAs: (o) => o, steps: ['rename:1', 'rename:2', 'rm:2'] },
  { name: 'checkpoint set', out: 'model.ckpt', to: 'checkpoint', readAs: (o) => o, steps: ['rm:0', 'rename:1', 'rename:2'] },
];

describe('kill -9 while a multi-file output is swapped in', () => {
  for (const kind of KINDS) {
    it(`${kind.name}: old set or new set, never a mix; the next run names the leftover, --force cleans it`, async () => {
      const states: string[] = [];
      for (const step of kind.steps) {
        const dir = join(tmp.path, `${kind.to}-${step.replace(':', '')}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
        const out = join(dir, kind.out);
        const first = await cli(['convert', oldInput, out, '--to', kind.to]);
        expect(first.status, first.stderr).toBe(0);
        const oldFiles = kind.to === 'checkpoint' ? files(dir) : files(out);
        const killed = await cli(['convert', newInput, out, '--to', kind.to, '--force'], { TFW_TEST_KILL_AT: step });
        expect(killed.signal, `${step}: ${killed.stderr}`).toBe('SIGKILL');
        // What a reader sees now.
        const visible = kind.to === 'checkpoint' ? files(dir).filter((n) => !n.includes('.tfw-')) : files(out);
        const hasOutput = kind.to === 'checkpoint' ? visible.includes('model.ckpt.index') : visible.length > 0;
        let state = 'none';
        if (hasOutput) {
          if ((await diffExit(kind.readAs(out), oldInput)) === 0) state = 'old';
          else if ((await diffExit(kind.readAs(out), newInput)) === 0) state = 'new';
          else state = 'MIX';
        }
        if (state === 'old' && kind.to !== 'checkpoint') expect(visible, `${step}: the old folder, whole`).toEqual(oldFiles);
        if (state === 'old' && kind.to === 'checkpoint') expect(visible).toEqual(oldFiles.filter((n) => !n.includes('.tfw-')));
        states.push(`${step}=${state}`);
        expect(state, `${step}: ${visible.join(', ')}`).not.toBe('MIX');
        // The next run names what the killed one left; --force removes it and writes the new output.
        const left = leftovers(dir);
        expect(left.length, `${step}: a temporary name is left`).toBeGreaterThan(0);
        const again = await cli(['convert', newInput, out, '--to', kind.to]);
        expect(again.status).toBe(2);
        expect(again.stderr).toContain('interrupted earlier run left');
        expect(left.filter((l) => again.stderr.includes(l)), again.stderr).not.toEqual([]);
        const forced = await cli(['convert', newInput, out, '--to', kind.to, '--force']);
        expect(forced.status, forced.stderr).toBe(0);
        expect(leftovers(dir)).toEqual([]);
        expect(await diffExit(kind.readAs(out), newInput)).toBe(0);
      }
      console.log(`[interrupt-swap] ${kind.name}: ${states.join(' ')}`);
    });
  }
});
