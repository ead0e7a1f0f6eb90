/**
 * HDF5 through libhdf5-in-wasm, fuzzed: structure-aware mutants of real Keras files (bits
 * flipped, nasty integers written, runs zeroed near the superblock, object-header and B-tree
 * signatures, heaps, attribute names such as `model_config`, and dataspace dims) must each end
 * in a valid read or a typed TfwError naming the file — never an untyped crash (libhdf5's
 * "name not defined!", `Invalid typed array length`, a wasm trap), and the module must keep
 * working after an abort. Also: `.keras` zips (config.json, metadata.json, member names, bombs).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzCount, runFuzz, tempDir } from '@tfweights/testkit';
import { H5_BUDGET_ENV } from '../src/node/h5-walk.js';
import { fixtureSeeds, kerasMutant, mutateH5, ownSeeds, readEverything, type H5Seed } from './fuzz-mutants.js';

// A few mutants in a thousand send libhdf5 into a loop (as they do h5py); the budget stops them
// with a typed LimitExceeded. 2 s of no progress here instead of 20 s keeps the campaign short.
process.env[H5_BUDGET_ENV] ??= '2000';
/** Time for a campaign: an hour, or 200 ms a mutant for long runs (100,000 HDF5 mutants took over an hour beside a test run). */
const campaignMs = (n: number) => Math.max(3_600_000, n * 200);

const tmp = tempDir('tfw-keras-fuzz-');
afterAll(() => tmp.cleanup());

let own: Promise<H5Seed[]> | undefined;
/** What Emscripten prints on its own for a damaged file (our typed error says it all): none of it may reach stderr. */
const NOISE = /Invalid UTF-8 leading byte|Aborted\(|native code called abort/;

/** Watch what reaches this process's stderr (the h5wasm worker's output is piped into it). */
function watchStderr(): { noise: string[]; stop: () => void } {
  const noise: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = function watched(this: unknown, chunk: unknown, ...rest: unknown[]) {
    const text = String(chunk);
    if (NOISE.test(text) && noise.length < 5) noise.push(text.slice(0, 200));
    return (write as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
  } as typeof process.stderr.write;
  return { noise, stop: () => { process.stderr.write = write; } };
}

function seedsOnce(): Promise<H5Seed[]> {
  own ??= ownSeeds(tmp.path);
  return own;
}

describe('HDF5 fuzz (libhdf5 in wasm)', () => {
  it(`${fuzzCount()} structure-aware mutants of Keras HDF5 files end in a valid read or a typed error`, async () => {
    const seeds = [...(await seedsOnce()), ...fixtureSeeds()];
    const path = join(tmp.path, 'mutant.h5');
    const stderr = watchStderr();
    const report = await runFuzz({
      format: 'hdf5', seeds, seed: 17, mutate: mutateH5,
      exercise: async (bytes) => {
        writeFileSync(path, bytes);
        await readEverything(path);
      },
      check: (err) => expect(err.file, err.message).toBeDefined(),
    }).finally(stderr.stop);
    expect(report.typed).toBeGreaterThan(report.mutants / 10);
    expect(report.valid).toBeGreaterThan(0);
    expect(stderr.noise).toEqual([]);
  }, campaignMs(fuzzCount()));
});

describe('.keras fuzz (zip + JSON + HDF5)', () => {
  it(`${fuzzCount(1000)} mutants of .keras archives end in a valid read or a typed error`, async () => {
    const k3 = (await seedsOnce())[1]!.bytes;
    const path = join(tmp.path, 'mutant.keras');
    const rand = (await import('@tfweights/testkit')).seededRandom(23);
    const n = fuzzCount(1000);
    const stderr = watchStderr();
    // Each mutant is made when its turn comes (100,000 held at once would be gigabytes): the
    // same sequence as making them all first, since each is awaited before the next is made.
    const report = await runFuzz({
      format: '.keras', seeds: [k3], count: n, seed: 23, mutate: (seed) => kerasMutant(seed, rand),
      exercise: async (mutant) => {
        const bytes = await mutant;
        writeFileSync(path, bytes);
        await readEverything(path);
      },
      check: (err) => expect(err.file, err.message).toBeDefined(),
    }).finally(stderr.stop);
    expect(report.typed).toBeGreaterThan(report.mutants / 10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(stderr.noise).toEqual([]);
  }, campaignMs(fuzzCount(1000)));
});
