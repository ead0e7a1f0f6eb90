/** Rough throughput of .npy/.npz writing and reading in memory (run: pnpm bench). */
import { makeTensor, MemorySource, fflateDeflater } from '@tfweights/core';
import { npyBytes, npzBytes, NpyReader, NpzReader, type NpzWriterOptions } from '../src/index.js';

const MB = 1 << 20;
const data = new Uint8Array(64 * MB);
for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 27;
const t = makeTensor('w', 'float32', [data.length / 4], data);

async function time(label: string, bytes: number, fn: () => Promise<unknown> | unknown): Promise<void> {
  const start = performance.now();
  await fn();
  const s = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(40)} ${(bytes / MB / s).toFixed(0).padStart(6)} MB/s`);
}

const npy = npyBytes(t);
await time('npy encode', data.length, () => npyBytes(t));
await time('npy read', data.length, async () => (await NpyReader.open(new MemorySource(npy, 'w.npy'))).read('w'));
for (const [label, opts] of [
  ['npz stored write', {}], ['npz deflate write (pako, zlib-exact)', { compressed: true }],
  ['npz deflate write (fflate)', { compressed: true, deflater: fflateDeflater }],
] as [string, NpzWriterOptions][]) {
  let out: Uint8Array = new Uint8Array(0);
  await time(label, data.length, async () => {
    out = await npzBytes([t], opts);
  });
  await time(`${label.replace('write', 'read')}`, data.length, async () => (await NpzReader.open(new MemorySource(out))).read('w'));
}
