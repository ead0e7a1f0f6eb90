/**
 * libhdf5 aborting on a damaged .h5 (here: the global heap's "GCOL" signature zeroed, so
 * libhdf5 calls abort() reading the root attributes) is one typed line on stderr: Emscripten's
 * own `Aborted(...)` print is kept out (packages/keras/src/node/h5wasm-node.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@tfweights/core';
import { writeKerasH5 } from '@tfweights/keras/node';
import { offsetsOf, tempDir, runProcess } from '@tfweights/testkit';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = tempDir('tfw-h5-abort-');
afterAll(() => tmp.cleanup());

describe('a libhdf5 abort on the command line', () => {
  it('is one line on stderr naming the file, exit 2', async () => {
    const good = join(tmp.path, 'good.h5');
    const t = (k: string, shape: number[]) => makeTensor(k, 'float32', shape, new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)));
    await writeKerasH5(good, { layers: [{ name: 'dense', weights: [{ name: 'kernel', tensor: t('k', [5, 3]) }, { name: 'bias', tensor: t('b', [3]) }] }] }, {
      modelConfig: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 3 } }] } },
    });
    const bytes = new Uint8Array(readFileSync(good));
    const heap = offsetsOf(bytes, 'GCOL')[0]!;
    bytes.fill(0, heap, heap + 3);
    const bad = join(tmp.path, 'aborts.h5');
    writeFileSync(bad, bytes);
    const r = await runProcess(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/bin.ts', 'ls', bad], { cwd: appDir });
    expect(r.stderr).toMatch(/libhdf5 aborted on this damaged file/);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/^tfweights: .*aborts\.h5/);
    expect(r.status).toBe(2);
  });
});
