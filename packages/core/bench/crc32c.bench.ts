/**
 * Chooses the CRC-32C implementation by measurement: throughput of the portable
 * slicing-by-8 code and of @node-rs/crc32 (hardware) on 256 MiB, against a plain memory copy
 * and against reading a file of the same size (the page-cached `cat` ceiling a conversion
 * cannot beat). Run: pnpm --filter @tfweights/core bench
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c, crc32cImplementation, crc32cPortable } from '../src/index.js';
import { installNativeCrc32c } from '../src/node/index.js';

const SIZE = 256 * 1024 * 1024;
const data = new Uint8Array(SIZE);
for (let i = 0; i < SIZE; i += 4096) data[i] = i & 0xff;

function gbps(label: string, fn: () => void, bytes = SIZE): number {
  fn(); // warm up
  const t0 = process.hrtime.bigint();
  fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = bytes / s / 1e9;
  console.log(`${label.padEnd(40)} ${rate.toFixed(2).padStart(7)} GB/s`);
  return rate;
}

console.log(`CRC-32C over ${SIZE / 2 ** 20} MiB`);
const copy = gbps('allocate + copy (Uint8Array.set)', () => new Uint8Array(SIZE).set(data));
const portable = gbps('portable slicing-by-8', () => crc32cPortable(data));
installNativeCrc32c();
const native = gbps(`${crc32cImplementation()}`, () => crc32c(data));

const dir = mkdtempSync(join(tmpdir(), 'tfw-crc-bench-'));
try {
  const file = join(dir, 'blob');
  writeFileSync(file, data);
  const cat = gbps('cat of the same bytes (page cache)', () => execFileSync('sh', ['-c', `cat '${file}' > /dev/null`]));
  console.log(`\nnative / cat: ${(native / cat).toFixed(1)}×; portable / cat: ${(portable / cat).toFixed(2)}×; copy: ${copy.toFixed(1)} GB/s`);
  console.log(native >= cat ? 'hardware CRC is faster than reading the file: it does not limit conversions' : 'CRC is slower than a page-cached read: readers overlap CRC with I/O where it matters');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
