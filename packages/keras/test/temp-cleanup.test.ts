/**
 * A `.keras` reader's staged `model.weights.h5` ($TMPDIR/tfw-keras-*) is removed on close(),
 * by `await using`, and when an unclosed reader is garbage-collected.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { writeKerasArchive } from '../src/node/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = tempDir('tfw-keras-cleanup-');
afterAll(() => tmp.cleanup());

describe('.keras staging folders', () => {
  it('are removed by close(), by await using, and by garbage collection of an unclosed reader', async () => {
    const k = join(tmp.path, 'm.keras');
    const t = makeTensor('d/kernel', 'float32', [4], new Uint8Array(16));
    await writeKerasArchive(k, { layers: [{ name: 'd', className: 'Dense', weights: [{ name: 'kernel', tensor: t }] }] });
    const staging = join(tmp.path, 'staging');
    mkdirSync(staging);
    const script = join(tmp.path, 'child.mts');
    writeFileSync(script, `
      import { readdirSync } from 'node:fs';
      import { openKeras } from ${JSON.stringify(resolve(here, '../src/node/index.ts'))};
      const staged = () => readdirSync(process.env.TMPDIR!).filter((n) => n.startsWith('tfw-keras-')).length;
      const out: Record<string, number> = {};
      const a = await openKeras(${JSON.stringify(k)});
      out.open = staged();
      await a.close();
      out.closed = staged();
      { await using b = await openKeras(${JSON.stringify(k)}); out.using = staged(); b.list(); }
      out.afterUsing = staged();
      await (async () => { (await openKeras(${JSON.stringify(k)})).list(); })();
      out.dropped = staged();
      for (let i = 0; i < 20 && staged() > 0; i++) { (globalThis as any).gc(); await new Promise((r) => setTimeout(r, 50)); }
      out.collected = staged();
      console.log(JSON.stringify(out));
    `);
    const r = spawnSync(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', script], {
      cwd: resolve(here, '../../..'), env: { ...process.env, TMPDIR: staging }, encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ open: 1, closed: 0, using: 1, afterUsing: 0, dropped: 1, collected: 0 });
    expect(readdirSync(staging).filter((n) => n.startsWith('tfw-keras-'))).toEqual([]);
  });
});
