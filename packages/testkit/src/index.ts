/**
 * Test helpers shared by every tfweights package: where the shared fixtures are, their
 * truth.json, canonical SHA-256 of tensor values (MANIFEST.md's definition), and the
 * independent Python readers (Debian's python3-numpy / python3-h5py) used to check writers.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toFloat64, type Tensor } from '@tfweights/core';
import { runChecked } from './process.js';

/** The repository root (where pnpm-workspace.yaml is). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * `../shared/fixtures` beside the repository (or $TFW_FIXTURES). Undefined when absent:
 * tests that need it are skipped with a message saying so.
 */
export const fixturesRoot: string | undefined = (() => {
  const candidates = [process.env.TFW_FIXTURES, join(repoRoot, '../shared/fixtures')].filter(Boolean) as string[];
  return candidates.find((p) => existsSync(join(p, 'MANIFEST.md')));
})();

let warned = false;
/** True when the shared fixtures are present; logs once that fixture tests are skipped otherwise. */
export function haveFixtures(): boolean {
  if (!fixturesRoot && !warned) {
    warned = true;
    console.warn('[tfweights] ../shared/fixtures not found: tests that read real TensorFlow/Keras files are SKIPPED');
  }
  return fixturesRoot !== undefined;
}

/** Absolute path of a fixture file or folder (throws if fixtures are absent). */
export function fixture(...parts: string[]): string {
  if (!fixturesRoot) throw new Error('shared fixtures are not available');
  return join(fixturesRoot, ...parts);
}

export interface TruthTensor {
  key: string;
  dtype: string;
  shape: number[];
  sha256: string;
  head: unknown[];
}
export interface TruthEntry {
  format: string;
  input: string;
  tensors: TruthTensor[];
  refused: { key: string; why: string }[];
}

/** The parsed truth.json of a fixture folder, e.g. `checkpoint/tf1-simple`. */
export function loadTruth(folder: string): TruthEntry[] {
  return JSON.parse(readFileSync(fixture(folder, 'truth.json'), 'utf8')) as TruthEntry[];
}

/** Every fixture folder of a category (`checkpoint`, `keras-h5` …) that has a truth.json. */
export function fixtureFolders(category: string): string[] {
  if (!fixturesRoot) return [];
  return readdirSync(join(fixturesRoot, category))
    .filter((d) => existsSync(join(fixturesRoot!, category, d, 'truth.json')))
    .sort()
    .map((d) => `${category}/${d}`);
}


/**
 * SHA-256 of a tensor's canonical bytes (MANIFEST.md): data as stored (little-endian, C
 * order); strings as an 8-byte LE length then the bytes of each element.
 */
export function canonicalSha256(t: Pick<Tensor, 'dtype' | 'data' | 'strings'>): string {
  const h = createHash('sha256');
  if (t.dtype === 'string') {
    for (const s of t.strings ?? []) {
      const len = new Uint8Array(8);
      new DataView(len.buffer).setBigUint64(0, BigInt(s.byteLength), true);
      h.update(len);
      h.update(s);
    }
  } else {
    h.update(t.data);
  }
  return h.digest('hex');
}

/** The first `n` values as truth.json's `head` writes them. */
export function headValues(t: Tensor, n = 6): unknown[] {
  if (t.dtype === 'string') {
    return (t.strings ?? []).slice(0, n).map((s) => Buffer.from(s.subarray(0, 32)).toString('hex'));
  }
  if (t.dtype === 'int64' || t.dtype === 'uint64') {
    const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const out: unknown[] = [];
    for (let i = 0; i < Math.min(n, t.data.byteLength / 8); i++) {
      const v = t.dtype === 'int64' ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
      out.push(Number(v));
    }
    return out;
  }
  const values = Array.from(toFloat64(t));
  if (t.dtype === 'complex64' || t.dtype === 'complex128') {
    const out: unknown[] = [];
    for (let i = 0; i < Math.min(n, values.length / 2); i++) out.push([values[2 * i], values[2 * i + 1]]);
    return out;
  }
  return values.slice(0, n).map((v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v));
}

/** Debian's python3 (where apt installs numpy and h5py), if it has every module named. */
export function pythonWith(...modules: string[]): string | undefined {
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(exe, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    if (r.status === 0) return exe;
  }
  console.warn(`[tfweights] no python3 with ${modules.join(', ')}: tests that check output with it are SKIPPED (run the README's test command, which installs them)`);
  return undefined;
}

/**
 * Run a Python snippet with arguments; resolves to stdout (rejects with stderr on failure).
 * Awaited, not synchronous: see process.ts (a long synchronous child times out vitest's RPC).
 * stderr is collected, not inherited: a traceback a test expects stays out of the run's output.
 */
export function runPython(exe: string, code: string, args: string[] = []): Promise<string> {
  return runChecked(exe, ['-c', code, ...args]);
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'tfw-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Small deterministic pseudo-random generator for fuzz tests (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Python of the virtualenv with real Keras 3 (JAX backend) that scripts/lib.sh installs from
 * the machine's local wheel mirror; undefined (and a SKIPPED message) when it is absent.
 * Run code with `runKeras(code, args)`: KERAS_BACKEND is set to jax.
 */
export function kerasPython(): string | undefined {
  const venv = process.env.TFW_KERAS_VENV ?? join(process.env.HOME ?? '/root', '.cache/tfweights/keras-venv');
  const exe = join(venv, 'bin/python');
  if (existsSync(exe) && spawnSync(exe, ['-c', 'import keras, jax'], { stdio: 'ignore', env: { ...process.env, KERAS_BACKEND: 'jax' } }).status === 0) {
    return exe;
  }
  console.warn('[tfweights] no Keras 3 virtualenv (scripts/lib.sh ensure_keras_venv): tests that load our files into real Keras are SKIPPED');
  return undefined;
}

/** Run a Python snippet under real Keras (JAX backend); resolves to stdout. */
export function runKeras(exe: string, code: string, args: string[] = []): Promise<string> {
  return runChecked(exe, ['-c', code, ...args], { env: { ...process.env, KERAS_BACKEND: 'jax', JAX_PLATFORMS: 'cpu', TF_CPP_MIN_LOG_LEVEL: '3' } });
}

/**
 * Python of the virtualenv with real TensorFlow 2.21 (CPU; its Keras 3.15 runs on the TF
 * backend) that scripts/lib.sh `ensure_tf_venv` installs from the machine's local wheel
 * mirror; undefined (and a SKIPPED message) when it is absent. TensorFlow is the judge of
 * what we write: run code with `runTf(exe, code, args)`.
 */
let tfExe: string | null | undefined;
export function tfPython(): string | undefined {
  if (tfExe !== undefined) return tfExe ?? undefined;
  const exe = join(process.env.TFW_TF_VENV ?? join(process.env.HOME ?? '/root', '.cache/tfweights/tf-venv'), 'bin/python');
  if (existsSync(exe) && spawnSync(exe, ['-c', 'import tensorflow, keras'], { stdio: 'ignore', env: tfEnv() }).status === 0) return (tfExe = exe);
  console.warn('[tfweights] no TensorFlow virtualenv (scripts/lib.sh ensure_tf_venv): tests where TensorFlow restores our files are SKIPPED');
  tfExe = null;
  return undefined;
}

/** Environment for TensorFlow: quiet logs, CPU only, Keras on the TF backend, deterministic ops. */
function tfEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env, KERAS_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '0',
    CUDA_VISIBLE_DEVICES: '', PYTHONHASHSEED: '0', PYTHONPATH: join(repoRoot, 'packages/testkit/tf-corpus'),
  };
}

/**
 * Run a Python snippet under real TensorFlow; resolves to stdout (rejects with stderr on failure).
 * `common` (packages/testkit/tf-corpus/common.py: checkpoint_truth, canonical_sha256) is importable.
 */
export function runTf(exe: string, code: string, args: string[] = []): Promise<string> {
  return runChecked(exe, ['-c', code, ...args], { env: tfEnv() });
}

/**
 * The folder of one case of the TF-written corpus (packages/testkit/tf-corpus/cases/<name>.py),
 * made by real TensorFlow and cached by the generator's hash; generated here if the test
 * command has not made it yet. Undefined when TensorFlow is absent (tests skip, saying so).
 */
export function tfCorpus(name: string): string | undefined {
  const exe = tfPython();
  if (!exe) return undefined;
  const out = execFileSync(exe, [join(repoRoot, 'packages/testkit/tf-corpus/generate.py'), name], { encoding: 'utf8', env: tfEnv() });
  const m = /\((\/[^)]+)\)\s*$/.exec(out.trim());
  if (!m) throw new Error(`tf-corpus: unexpected generator output: ${out}`);
  return m[1];
}

export { startHttpServer, type HttpTestServer, type HttpTestServerOptions, type LoggedRequest, type Misbehaviour, type VirtualFile } from './http-servers.js';
export * from './fuzz.js';
export { smallTmpfs, type SmallTmpfs } from './tmpfs.js';
export { collectChunks, chunkedBy } from './chunks.js';
export { runProcess, runChecked, type ProcessResult } from './process.js';
