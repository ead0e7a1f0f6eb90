/**
 * 20,000 tiny tensors through every writable format but Keras HDF5 (its own helper owns that):
 * checkpoint → checkpoint / .npz / .safetensors / tfjs folder / npy folder, each output `ls`ed,
 * `diff`ed against the input and converted back to a checkpoint that diffs equal; NumPy reads
 * the .npz and the npy folder itself. The npy folder is written by the real CLI under
 * `ulimit -n 128`, so a writer holding one descriptor per member (EMFILE at 20,000 files,
 * issue 17) fails here. The 10^5-tensor timings live in bench/many-tensors.bench.ts.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChunkedTensor } from '@tfweights/core';
import { writeCheckpoint } from '@tfweights/checkpoint/node';
import { pythonWith, runPython, tempDir, runProcess } from '@tfweights/testkit';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';

const COUNT = 20_000;
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = tempDir('tfw-many-');
afterAll(() => tmp.cleanup());
const input = join(tmp.path, 'in.ckpt');
const keyOf = (i: number) => `block_${String(i % 100).padStart(2, '0')}/layer_${String(i).padStart(5, '0')}/kernel`;
const valuesOf = (i: number) => [i, i + 0.5, -i, 1];

beforeAll(async () => {
  await writeCheckpoint(input, Array.from({ length: COUNT }, (_, i): ChunkedTensor => {
    const data = new Uint8Array(new Float32Array(valuesOf(i)).buffer);
    return { key: keyOf(i), name: keyOf(i), dtype: 'float32', shape: [4], byteLength: 16, chunks: async function* () { yield data; } };
  }));
});

const run = async (...argv: string[]) => {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

const OUTPUTS: [string, string, string][] = [
  ['checkpoint', 'out.ckpt', 'out.ckpt'], ['npz', 'out.npz', 'out.npz'], ['safetensors', 'out.safetensors', 'out.safetensors'],
  ['tfjs', 'out-tfjs', 'out-tfjs/model.json'], ['npy', 'out-npy', 'out-npy'],
];

/** The CLI, in a child under `ulimit -n 128`, writes the npy folder `out` (one file per tensor). */
async function convertWithFewDescriptors(out: string): Promise<void> {
  const r = await runProcess('sh', ['-c', 'ulimit -n 128 && exec "$0" "$@"', process.execPath, '--conditions=source', '--import', 'tsx', 'src/bin.ts', 'convert', input, out, '--to', 'npy'], { cwd: appDir });
  expect(r.status, r.stderr).toBe(0);
  expect(readdirSync(out).length).toBe(COUNT + 1);
  expect(readdirSync(tmp.path).filter((n) => n.includes('.tfw-'))).toEqual([]);
}

describe(`${COUNT} tiny tensors`, () => {
  for (const [to, out, readAs] of OUTPUTS) {
    it(`checkpoint → ${to}${to === 'npy' ? ' (the CLI under ulimit -n 128)' : ''} → checkpoint: ls lists all, diff finds no difference either way`, async () => {
      if (to === 'npy') {
        await convertWithFewDescriptors(join(tmp.path, out));
      } else {
        const written = await run('convert', input, join(tmp.path, out), '--to', to);
        expect(written.code, written.err).toBe(0);
      }
      const listed = await run('ls', join(tmp.path, readAs), '--json');
      expect(listed.code, listed.err).toBe(0);
      const keys = (JSON.parse(listed.out) as { tensors: { key: string }[] }).tensors.map((t) => t.key);
      expect(new Set(keys).size).toBe(COUNT);
      for (const i of [0, 1, 9_999, COUNT - 1]) expect(keys).toContain(keyOf(i));
      const d = await run('diff', input, join(tmp.path, readAs));
      expect(d.code, d.out + d.err).toBe(0);
      const back = join(tmp.path, `back-${to}.ckpt`);
      const again = await run('convert', join(tmp.path, readAs), back, '--to', 'checkpoint');
      expect(again.code, again.err).toBe(0);
      const d2 = await run('diff', input, back);
      expect(d2.code, d2.out + d2.err).toBe(0);
    });
  }

  it.skipIf(!pythonWith('numpy'))('NumPy reads every member of the .npz and every file of the npy folder', async () => {
    const got = await runPython(pythonWith('numpy')!, [
      'import json, os, sys, numpy as np',
      'z = np.load(sys.argv[1]); names = z.files',
      'folder = sys.argv[2]; index = json.load(open(os.path.join(folder, "index.json")))["tensors"]',
      'files = [np.load(os.path.join(folder, e["file"])).tolist() for e in index]',
      'print(json.dumps({"npz": len(names), "npzLast": z[names[-1]].tolist(), "npzFirst": z[names[0]].tolist(), "folder": len(files), "folderLast": files[-1], "onDisk": len(os.listdir(folder))}))',
    ].join('\n'), [join(tmp.path, 'out.npz'), join(tmp.path, 'out-npy')]);
    const r = JSON.parse(got) as Record<string, unknown>;
    expect(r).toEqual({ npz: COUNT, npzFirst: valuesOf(0), npzLast: valuesOf(COUNT - 1), folder: COUNT, folderLast: valuesOf(COUNT - 1), onDisk: COUNT + 1 });
  });

});
