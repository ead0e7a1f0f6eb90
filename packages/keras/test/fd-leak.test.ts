/**
 * No host file descriptor outlives its reader. When libhdf5 fails mid-call on a damaged file,
 * h5wasm's throwing error handler throws through the wasm frames and the object ids that call
 * opened are never closed, so the file stays open after H5Fclose (the 100k `.keras` campaign
 * ran out of descriptors at mutant #48,626). The libhdf5 worker closes what was left open and
 * retires itself (src/node/h5-walk-worker.ts); here hundreds of damaged files are read and
 * closed, and /proc/self/fd must end where it started (after a warm-up that starts the worker).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTfwError } from '@tfweights/core';
import { seededRandom, tempDir } from '@tfweights/testkit';
import { kerasMutant, mutateH5, ownSeeds, readEverything } from './fuzz-mutants.js';

const tmp = tempDir('tfw-keras-fdleak-');
afterAll(() => tmp.cleanup());

const linux = process.platform === 'linux';

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Read `path` fully; typed errors are expected (damaged files), anything else fails the test. */
async function readOrTyped(path: string): Promise<'valid' | 'typed'> {
  try {
    await readEverything(path);
    return 'valid';
  } catch (err) {
    if (!isTfwError(err)) throw err;
    return 'typed';
  }
}

/** Retired workers end asynchronously: wait (generously) for the count to come back down. */
async function settledFdCount(target: number): Promise<number> {
  let n = fdCount();
  for (let i = 0; i < 100 && n > target; i++) {
    await new Promise((r) => setTimeout(r, 100));
    n = fdCount();
  }
  return n;
}

describe.runIf(linux)('no descriptor leaks from libhdf5 failure paths', () => {
  it('hundreds of damaged .keras and .h5 files leave /proc/self/fd as it was', async () => {
    const seeds = await ownSeeds(tmp.path);
    const good = join(tmp.path, 'good.weights.h5');
    writeFileSync(good, seeds[1]!.bytes);
    // Warm-up: the worker thread and its h5wasm are started (their own descriptors stay).
    expect(await readOrTyped(good)).toBe('valid');
    const start = fdCount();

    // The .keras campaign's own mutants (seed 23): about 1.5 % of them leaked two descriptors.
    const rand = seededRandom(23);
    const keras = join(tmp.path, 'mutant.keras');
    let typed = 0;
    for (let i = 0; i < 300; i++) {
      writeFileSync(keras, await kerasMutant(seeds[1]!.bytes, rand));
      if ((await readOrTyped(keras)) === 'typed') typed++;
    }
    const h5 = join(tmp.path, 'mutant.h5');
    const hrand = seededRandom(17);
    for (let i = 0; i < 200; i++) {
      writeFileSync(h5, mutateH5(seeds[i % seeds.length]!, hrand));
      if ((await readOrTyped(h5)) === 'typed') typed++;
    }
    expect(typed).toBeGreaterThan(50);

    // The reader still works after all that, and nothing is left open.
    expect(await readOrTyped(good)).toBe('valid');
    // (At most: the first worker's start-up may hold a descriptor or two the warm-up counted.)
    expect(await settledFdCount(start)).toBeLessThanOrEqual(start);
  }, 600_000);
});
