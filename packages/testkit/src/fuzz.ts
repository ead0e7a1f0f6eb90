/**
 * The fuzz harness every package's fuzz test uses: seeded, in-process, bounded. A campaign
 * runs `count` mutants of some seed files through one `exercise` function and classifies each
 * run as a valid read or a typed TfwError; anything else (an untyped throw, a run past the
 * memory budget) fails the campaign with the mutant's number and seed, so it can be replayed.
 * `TFW_FUZZ_COUNT` scales every campaign (the long `pnpm fuzz` run sets 100,000);
 * `TFW_FUZZ_REPORT` names a JSON-lines file that gets one line of counts per campaign.
 */
import { appendFileSync } from 'node:fs';
import { isTfwError } from '@tfweights/core';
import { seededRandom } from './index.js';

/** Mutants per format: `TFW_FUZZ_COUNT` when set, else `normal`. */
export function fuzzCount(normal = 5000): number {
  const env = Number(process.env.TFW_FUZZ_COUNT);
  return Number.isSafeInteger(env) && env > 0 ? env : normal;
}

/** What one campaign saw. */
export interface FuzzReport {
  format: string;
  mutants: number;
  valid: number;
  typed: number;
  /** Typed errors by code. */
  codes: Record<string, number>;
  /** Largest resident set seen after a run, in MiB. */
  peakRssMiB: number;
  /** Slowest single run, in milliseconds (a hang shows up as the campaign never ending). */
  slowestMs: number;
  seconds: number;
}

export interface FuzzCampaign<S, M = S> {
  /** Name reported (`hdf5`, `tfjs model.json` …). */
  format: string;
  seeds: readonly S[];
  /** One mutant of a seed; `rand` is the campaign's seeded generator. */
  mutate: (seed: S, rand: () => number, i: number) => M;
  /** Open, list and read everything; resolve on a valid read, throw otherwise. */
  exercise: (mutant: M, i: number) => Promise<void>;
  count?: number;
  seed?: number;
  /** Fail when the resident set grows past this (MiB; default 3072). */
  maxRssMiB?: number;
  /** Called with each typed error, e.g. to check it names the file. */
  check?: (err: Error & { code: string; file?: string }, mutant: M) => void;
}

/** Run a campaign; throws on the first untyped error or memory-budget breach. */
export async function runFuzz<S, M = S>(c: FuzzCampaign<S, M>): Promise<FuzzReport> {
  const count = c.count ?? fuzzCount();
  const rand = seededRandom(c.seed ?? 1);
  const maxRss = (c.maxRssMiB ?? 3072) * 1024 * 1024;
  const report: FuzzReport = { format: c.format, mutants: 0, valid: 0, typed: 0, codes: {}, peakRssMiB: 0, slowestMs: 0, seconds: 0 };
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const mutant = c.mutate(c.seeds[i % c.seeds.length]!, rand, i);
    const start = performance.now();
    try {
      await c.exercise(mutant, i);
      report.valid++;
    } catch (err) {
      if (!isTfwError(err)) {
        throw new Error(`${c.format} mutant #${i} (seed ${c.seed ?? 1}): untyped ${(err as Error)?.stack ?? String(err)}`);
      }
      c.check?.(err as never, mutant);
      report.typed++;
      report.codes[err.code] = (report.codes[err.code] ?? 0) + 1;
    }
    report.mutants++;
    report.slowestMs = Math.max(report.slowestMs, Math.round(performance.now() - start));
    // In-memory campaigns resolve on microtasks only: let the event loop turn now and then, or
    // vitest's worker misses its RPC deadline ("Timeout calling onTaskUpdate") in a long run.
    if (i % 256 === 255) await new Promise((r) => setImmediate(r));
    if (i % 64 === 0 || i === count - 1) {
      const rss = process.memoryUsage.rss();
      report.peakRssMiB = Math.max(report.peakRssMiB, Math.round(rss / 2 ** 20));
      if (rss > maxRss) throw new Error(`${c.format} mutant #${i}: resident set ${Math.round(rss / 2 ** 20)} MiB is over the ${c.maxRssMiB ?? 3072} MiB budget`);
    }
  }
  report.seconds = Math.round((performance.now() - t0) / 100) / 10;
  const line = JSON.stringify(report);
  console.log(`[fuzz] ${line}`);
  if (process.env.TFW_FUZZ_REPORT) appendFileSync(process.env.TFW_FUZZ_REPORT, `${line}\n`);
  return report;
}

/** Integers that break size arithmetic: 0, 1, sign and width edges, 2^40, 2^53 − 1. */
export const NASTY_INTEGERS: readonly bigint[] = [
  0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  2n ** 32n, 2n ** 40n, 2n ** 53n - 1n, 2n ** 63n - 1n, 2n ** 64n - 1n,
];

/** Write `value` as a `width`-byte little-endian integer at `at` (clipped to the buffer). */
export function putLE(bytes: Uint8Array, at: number, width: number, value: bigint): void {
  for (let k = 0; k < width && at + k < bytes.length; k++) bytes[at + k] = Number((value >> BigInt(8 * k)) & 0xffn);
}

/**
 * One generic byte-level mutation (a copy): bit flips, a nasty integer, a zeroed or 0xff run,
 * a truncation, or a duplicated slice. `near`, when given, is where structure-aware callers
 * want the mutation (an offset of a field they found); otherwise anywhere.
 */
export function mutateBytes(src: Uint8Array, rand: () => number, near?: number): Uint8Array {
  if (src.length === 0) return new Uint8Array(0);
  const pick = (): number => (near !== undefined ? Math.min(src.length - 1, Math.max(0, near + Math.floor(rand() * 16) - 4)) : Math.floor(rand() * src.length));
  const kind = Math.floor(rand() * 8);
  if (kind === 5) return new Uint8Array(src.subarray(0, Math.floor(rand() * src.length)));
  // A plain Uint8Array copy (a Buffer's fill() throws past its end instead of clamping).
  const out = new Uint8Array(src);
  const at = pick();
  switch (kind) {
    case 0:
    case 1:
      for (let i = 0, n = 1 + Math.floor(rand() * 4); i < n; i++) {
        const p = near !== undefined ? pick() : Math.floor(rand() * out.length);
        out[p] = out[p]! ^ (1 << Math.floor(rand() * 8));
      }
      return out;
    case 2:
      putLE(out, at, [1, 2, 4, 8][Math.floor(rand() * 4)]!, NASTY_INTEGERS[Math.floor(rand() * NASTY_INTEGERS.length)]!);
      return out;
    case 3:
      out.fill(0, at, at + 1 + Math.floor(rand() * 4));
      return out;
    case 4:
      out.fill(0xff, at, at + 1 + Math.floor(rand() * 8));
      return out;
    case 6: {
      // Duplicate a slice over another place (repeated structures, overlapping records).
      const from = Math.floor(rand() * out.length);
      const len = Math.min(1 + Math.floor(rand() * 64), out.length - from, out.length - at);
      out.copyWithin(at, from, from + len);
      return out;
    }
    default:
      out[at] = Math.floor(rand() * 256);
      return out;
  }
}

/** Offsets of every occurrence of `needle` in `hay` (structure landmarks for mutators). */
export function offsetsOf(hay: Uint8Array, needle: Uint8Array | string): number[] {
  const n = typeof needle === 'string' ? new TextEncoder().encode(needle) : needle;
  const out: number[] = [];
  const buf = Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
  for (let at = buf.indexOf(n); at >= 0; at = buf.indexOf(n, at + 1)) out.push(at);
  return out;
}
