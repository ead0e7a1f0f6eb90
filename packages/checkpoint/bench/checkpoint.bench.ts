/**
 * `pnpm bench`: a bundle of more than 4 GiB (thousands of variables, several shards) written
 * with our writer, then: listing time, one-tensor read time (against a small bundle: it must
 * not grow), full read with CRC-32C checks against `cat` of the same files, and peak RSS.
 * Everything lives in a temporary directory under /tmp that is removed at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { makeTensor, type Tensor } from '@tfweights/core';
import { crc32cImplementation } from '@tfweights/core';
import { writeCheckpoint } from '@tfweights/checkpoint/node';

const MiB = 1024 * 1024;
const SMALL = 1 * MiB; // float32 [512, 512]
const LARGE = 64 * MiB; // float32 [4096, 4096]
const NUM_SMALL = 4000;
const NUM_LARGE = 4;
const SHARDS = 4;

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tfw-ckpt-bench-'));

/** A 64 MiB pseudo-random buffer; tensors are views at varying offsets (distinct CRCs). */
const pool = new Uint8Array(LARGE + SMALL);
{
  let x = 0x12345678;
  const u32 = new Uint32Array(pool.buffer);
  for (let i = 0; i < u32.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    u32[i] = x;
  }
}

function* tensors(numSmall: number, numLarge: number): Iterable<Tensor> {
  for (let i = 0; i < numSmall; i++) {
    const at = ((i * 4099) % (LARGE / 4)) * 4;
    yield makeTensor(`model/layer_with_weights-${i}/kernel/.ATTRIBUTES/VARIABLE_VALUE`, 'float32', [512, 512], pool.subarray(at, at + SMALL));
    if (numLarge > 0 && i % Math.floor(numSmall / numLarge) === 0 && i / Math.floor(numSmall / numLarge) < numLarge) {
      yield makeTensor(`model/embedding-${i}/embeddings/.ATTRIBUTES/VARIABLE_VALUE`, 'float32', [4096, 4096], pool.subarray(i % 64, (i % 64) + LARGE));
    }
  }
}

function worker(mode: 'one' | 'full', prefix: string): Record<string, number> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, 'read-worker.ts'), mode, prefix], {
    encoding: 'utf8', maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

function timeCat(files: string[]): number {
  const t = performance.now();
  const r = spawnSync('sh', ['-c', `cat ${files.map((f) => `'${f}'`).join(' ')} > /dev/null`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('cat failed');
  return performance.now() - t;
}

const fmt = (n: number, d = 1): string => n.toFixed(d);
try {
  console.log(`CRC-32C implementation: ${crc32cImplementation()}`);
  const big = join(dir, 'big', 'model.ckpt-1000');
  const small = join(dir, 'small', 'model.ckpt-1');
  let t = performance.now();
  await writeCheckpoint(big, tensors(NUM_SMALL, NUM_LARGE), { numShards: SHARDS });
  const writeMs = performance.now() - t;
  await writeCheckpoint(small, tensors(16, 0), { numShards: 1 });
  const files = readdirSync(dirname(big)).map((f) => join(dirname(big), f));
  const totalBytes = files.reduce((s, f) => s + statSync(f).size, 0);

  const oneBig = worker('one', big);
  const oneSmall = worker('one', small);
  const cat1 = timeCat(files);
  const full = worker('full', big);
  const cat2 = timeCat(files);
  const catMs = Math.min(cat1, cat2);
  const ours = full.bytes! / MiB / (full.fullReadMs! / 1000);
  const catRate = totalBytes / MiB / (catMs / 1000);
  const limitKiB = (2 * full.largest! + 100 * MiB) / 1024;

  const rows: [string, string][] = [
    ['bundle', `${files.length} files, ${fmt(totalBytes / 2 ** 30, 2)} GiB, ${oneBig.entries} tensors, ${SHARDS} shards`],
    ['write (our writer, CRC, fsync)', `${fmt(writeMs / 1000, 2)} s (${fmt(totalBytes / MiB / (writeMs / 1000), 0)} MiB/s)`],
    ['list (open + list, big bundle)', `${fmt(oneBig.listMs!, 1)} ms`],
    ['list (small bundle, 16 tensors)', `${fmt(oneSmall.listMs!, 1)} ms`],
    ['read one 1 MiB tensor, big bundle (first / median of 15)', `${fmt(oneBig.firstReadMs!, 2)} ms / ${fmt(oneBig.oneReadMs!, 2)} ms`],
    ['read one 1 MiB tensor, small bundle (first / median of 15)', `${fmt(oneSmall.firstReadMs!, 2)} ms / ${fmt(oneSmall.oneReadMs!, 2)} ms`],
    ['full read, CRC on (ours)', `${fmt(full.fullReadMs! / 1000, 2)} s = ${fmt(ours, 0)} MiB/s`],
    ['cat > /dev/null (best of 2)', `${fmt(catMs / 1000, 2)} s = ${fmt(catRate, 0)} MiB/s (runs: ${fmt(cat1 / 1000, 2)} s, ${fmt(cat2 / 1000, 2)} s)`],
    ['ours / cat', `${fmt((100 * ours) / catRate, 0)} % (target >= 80 %)`],
    ['peak RSS, full read', `${fmt(full.peakRssKiB! / 1024, 0)} MiB (process baseline ${fmt(full.baselineRssKiB! / 1024, 0)} MiB; limit 2 x ${full.largest! / MiB} MiB + 100 MiB = ${fmt(limitKiB / 1024, 0)} MiB)`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log('\n| measure' + ' '.repeat(w - 7) + ' | value |');
  console.log('|' + '-'.repeat(w + 2) + '|-------|');
  for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
