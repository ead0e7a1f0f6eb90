/**
 * Files over 2 GiB in Node: writes a legacy .h5 with a 2.25 GiB float32 kernel followed by a
 * small bias (stored past the 2 GiB mark), reads both back in slabs and checks the values.
 * Needs ~5 GB RAM and 2.3 GB of disk in the temp folder. Run: pnpm bench:large
 */
import { rmSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesOf, makeTensor } from '@tfweights/core';
import { openKeras, writeKerasH5 } from '../src/node/index.js';

const rows = 36_000;
const cols = 16_777; // 36000 × 16777 × 4 B ≈ 2.25 GiB
const kernelValues = new Float32Array(rows * cols);
for (let i = 0; i < kernelValues.length; i += 4099) kernelValues[i] = i % 1000;
kernelValues[kernelValues.length - 1] = 42.5;
const bias = Float32Array.from({ length: cols }, (_, i) => i * 0.5);

const dir = mkdtempSync(join(tmpdir(), 'tfw-large-'));
const path = join(dir, 'large.h5');
try {
  let t = performance.now();
  await writeKerasH5(path, {
    layers: [{ name: 'big', weights: [
      { name: 'kernel', tensor: makeTensor('k', 'float32', [rows, cols], bytesOf(kernelValues)) },
      { name: 'bias', tensor: makeTensor('b', 'float32', [cols], bytesOf(bias)) },
    ] }],
  });
  console.log(`wrote ${(statSync(path).size / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  const r = await openKeras(path);
  const k = await r.read('big/kernel');
  const b = await r.read('big/bias');
  console.log(`read back in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const kv = new Float32Array(k.data.buffer, k.data.byteOffset, k.data.byteLength / 4);
  let same = kv.length === kernelValues.length;
  for (let i = 0; same && i < kv.length; i += 4099) same = kv[i] === kernelValues[i];
  same &&= kv[kv.length - 1] === 42.5;
  const bv = new Float32Array(b.data.buffer, b.data.byteOffset, b.data.byteLength / 4);
  same &&= bv.every((v, i) => v === i * 0.5);
  await r.close();
  console.log(same ? 'OK: values match' : 'FAILED: values differ');
  if (!same) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
