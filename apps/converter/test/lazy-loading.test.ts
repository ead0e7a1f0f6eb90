/**
 * Start-up pays only for what a command uses: the executable is spawned with a module-load
 * hook that prints every module it loads, and listing a `.npy` must not load h5wasm,
 * tfjs-core, protobuf or any codec it does not open. Not timed (timings live in `pnpm bench`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npyBytes } from '@tfweights/npy';
import { makeTensor } from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = tempDir('tfw-lazy-');
afterAll(() => tmp.cleanup());

/** A hook module that reports each loaded URL on stderr as `LOADED <url>`. */
function hookFile(): string {
  const loader = 'export async function load(url, context, next) { process._rawDebug("LOADED " + url); return next(url, context); }';
  const hook = join(tmp.path, 'hook.mjs');
  writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(loader)}`)});\n`);
  return hook;
}

function loadedBy(...args: string[]): { code: number | null; loaded: string[]; out: string } {
  return loadedByRun(['--conditions=source', '--import', 'tsx', '--import', pathToFileURL(hookFile()).href, 'src/bin.ts', ...args]);
}

function loadedByRun(nodeArgs: string[]): { code: number | null; loaded: string[]; out: string } {
  const r = spawnSync(process.execPath, nodeArgs, { cwd: appDir, encoding: 'utf8' });
  const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
  return { code: r.status, loaded, out: r.stdout };
}

const heavy = ['/h5wasm@', '/@tensorflow+', '/protobufjs@', '/snappyjs@', '/pako@', '/fflate@', '/cli-progress@', '/packages/keras/src/h5', '/packages/checkpoint/src/reader', '/packages/tfjs/src/reader'];

describe('lazy codecs', () => {
  it('ls of a .npy loads no HDF5, tfjs, protobuf, zip or other codec module', () => {
    const path = join(tmp.path, 'tiny.npy');
    writeFileSync(path, npyBytes(makeTensor('tiny', 'float32', [2], new Uint8Array(8))));
    const r = loadedBy('ls', path);
    expect(r.code).toBe(0);
    expect(r.out).toContain('tiny');
    // The hook works: the npy codec itself was loaded.
    expect(r.loaded.some((u) => u.includes('/packages/npy/src/npy-reader'))).toBe(true);
    for (const h of heavy) expect(r.loaded.filter((u) => u.includes(h)), h).toEqual([]);
  });
  it('--help loads no codec at all', () => {
    const r = loadedBy('--help');
    expect(r.code).toBe(0);
    for (const h of [...heavy, '/packages/npy/src/npy-reader', '/packages/safetensors/src/reader']) expect(r.loaded.filter((u) => u.includes(h)), h).toEqual([]);
  });
});

const BUNDLE = join(appDir, 'dist/bin.js');

/**
 * The source files inside the bundle's files a run loaded (from their source maps): the bundle
 * inlines our code and protobufjs, so module URLs alone cannot tell what was parsed.
 */
function sourcesOf(loaded: readonly string[]): string[] {
  const files = loaded.filter((u) => /\/apps\/converter\/dist\/[^/]+\.js$/.test(u)).map((u) => fileURLToPath(u));
  return files.flatMap((f) => (JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }).sources.map((s) => resolve(dirname(f), s)));
}

/** Our bundle's files a run loaded (bin.js and its chunks). */
const bundleFiles = (loaded: readonly string[]) => loaded.filter((u) => /\/apps\/converter\/dist\/[^/]+\.js$/.test(u));

/** Code that only some commands need, as source paths inside the bundle. */
const heavySources = ['/protobufjs@', '/long@', '/packages/checkpoint/src/reader', '/packages/checkpoint/src/bundle-proto', '/packages/keras/src/node/', '/packages/keras/src/h5-file', '/packages/tfjs/src/reader', '/packages/savedmodel/src/reader'];

describe.skipIf(!existsSync(BUNDLE))('the built executable (one esbuild bundle, codecs in lazy chunks)', () => {
  const built = (...args: string[]) => loadedByRun(['--import', pathToFileURL(hookFile()).href, BUNDLE, ...args]);
  it('--help parses no codec and no command: only the parser, the registry and its sniffers', () => {
    const r = built('--help');
    expect(r.code).toBe(0);
    const sources = sourcesOf(r.loaded);
    // The source maps are read: the parser's own sources are there.
    expect(sources.some((s) => s.endsWith('/apps/converter/src/main.ts'))).toBe(true);
    for (const h of [...heavySources, '/packages/npy/src/npy-reader', '/packages/safetensors/src/reader', '/apps/converter/src/commands/']) {
      expect(sources.filter((s) => s.includes(h)), h).toEqual([]);
    }
  });
  it('ls of a .npy parses the NumPy codec and no other (no protobuf, HDF5 or tfjs code)', () => {
    const path = join(tmp.path, 'tiny-sources.npy');
    writeFileSync(path, npyBytes(makeTensor('tiny', 'float32', [2], new Uint8Array(8))));
    const r = built('ls', path);
    expect(r.code).toBe(0);
    const sources = sourcesOf(r.loaded);
    expect(sources.some((s) => s.includes('/packages/npy/src/npy-reader'))).toBe(true);
    for (const h of [...heavySources, '/packages/safetensors/src/reader']) expect(sources.filter((s) => s.includes(h)), h).toEqual([]);
  });
  it('ls of a checkpoint loads few files: each group of lazy code is one chunk, not one per importer', () => {
    const r = built('ls', join(appDir, '../../examples/data/iris-mlp/ckpt-1'));
    expect(r.code, r.out).toBe(0);
    const sources = sourcesOf(r.loaded);
    expect(sources.some((s) => s.includes('/packages/checkpoint/src/reader'))).toBe(true);
    expect(sources.some((s) => s.includes('/protobufjs@'))).toBe(true);
    for (const h of ['/packages/keras/src/node/', '/packages/keras/src/h5-file', '/packages/tfjs/src/reader']) expect(sources.filter((s) => s.includes(h)), h).toEqual([]);
    // bin.js, the start-up chunks, the commands and the checkpoint group (esbuild's own split made ~25).
    expect(bundleFiles(r.loaded).length, bundleFiles(r.loaded).join('\n')).toBeLessThanOrEqual(6);
  });
  it('ls of a .npy loads our code from the bundle only, and no heavy third-party package', () => {
    const path = join(tmp.path, 'tiny-built.npy');
    writeFileSync(path, npyBytes(makeTensor('tiny', 'float32', [2], new Uint8Array(8))));
    const r = built('ls', path);
    expect(r.code).toBe(0);
    expect(r.out).toContain('tiny');
    expect(r.loaded.some((u) => u.endsWith('/apps/converter/dist/bin.js'))).toBe(true);
    // No module of a workspace package is loaded on its own: all of it is inlined.
    expect(r.loaded.filter((u) => /\/packages\/[^/]+\/(dist|src)\//.test(u))).toEqual([]);
    for (const h of ['/h5wasm@', '/@tensorflow+', '/protobufjs@', '/snappyjs@', '/pako@', '/fflate@', '/cli-progress@']) expect(r.loaded.filter((u) => u.includes(h)), h).toEqual([]);
  });
  it('an .h5 is written and listed with h5wasm loaded from the bundle\'s copy (its wasm a file of its own), never the package\'s single-file build', () => {
    const h5 = join(tmp.path, 'iris.weights.h5');
    const written = built('convert', join(appDir, '../../examples/data/iris-mlp/ckpt-1'), h5);
    expect(written.code, written.out).toBe(0);
    const listed = built('ls', h5);
    expect(listed.code, listed.out).toBe(0);
    expect(listed.out).toContain('layers/dense/vars/0');
    // The writer (main thread) and the metadata walk (worker thread) each load the copy.
    for (const r of [written, listed]) {
      expect(r.loaded.filter((u) => u.endsWith('/apps/converter/dist/h5wasm/hdf5_util.js'))).toHaveLength(1);
      expect(r.loaded.filter((u) => u.includes('/h5wasm@'))).toEqual([]);
    }
    expect(listed.loaded.some((u) => u.endsWith('/apps/converter/dist/h5-walk-worker.js'))).toBe(true);
  });
  it('the copy gives a fresh libhdf5 instance per import URL, as h5wasm-node.ts reloads after a wasm abort', () => {
    const copy = pathToFileURL(join(appDir, 'dist/h5wasm/hdf5_hl.js')).href;
    const script = `const a = await import(${JSON.stringify(copy)}); const b = await import(${JSON.stringify(`${copy}?instance=1`)});
      const [ma, mb] = await Promise.all([a.default.ready, b.default.ready]);
      process.stdout.write(JSON.stringify({ distinct: ma !== mb, files: [typeof a.default.File, typeof b.default.File] }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ distinct: true, files: ['function', 'function'] });
  });
  it('ls of a checkpoint loads its codec from a lazy chunk (protobufjs inlined there), and nothing heavy', () => {
    const r = built('ls', join(appDir, '../../examples/data/iris-mlp/ckpt-1'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('model/layer_with_weights-0/kernel');
    expect(r.loaded.some((u) => /\/apps\/converter\/dist\/bin-chunk-[^/]+\.js$/.test(u))).toBe(true);
    for (const h of ['/h5wasm@', '/@tensorflow+', '/protobufjs@', '/snappyjs@', '/pako@', '/fflate@']) expect(r.loaded.filter((u) => u.includes(h)), h).toEqual([]);
  });
});
