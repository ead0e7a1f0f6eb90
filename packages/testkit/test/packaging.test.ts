/**
 * The packages as users get them: `pnpm pack` every public package, lint the tarballs with
 * publint and @arethetypeswrong/cli (ESM-only profile), install them with npm into a fresh
 * folder outside the workspace, and there run `npx tfweights --version`, the CLI on the bundled
 * example checkpoint, the root README's TypeScript example with Node, and `tsc` on it under
 * `node16` and `bundler` resolution with `skipLibCheck: false`. Needs the packages built
 * (scripts/test.sh builds first) and npm's registry for third-party dependencies.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'node_modules/.bin');
const PUBLIC = ['packages/core', 'packages/checkpoint', 'packages/savedmodel', 'packages/keras', 'packages/npy',
  'packages/safetensors', 'packages/tfjs', 'packages/tfweights', 'apps/converter'];
const built = PUBLIC.every((d) => existsSync(join(ROOT, d, 'dist')));
const work = join(tmpdir(), `tfweights-packaging-${process.pid}`);
const packs = join(work, 'packs');
const app = join(work, 'app');
const tarballs = new Map<string, string>();

/** Run a program without blocking the worker (a blocked worker misses vitest's RPC deadlines). */
function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    // As a user's shell would run it: without the npm_config_* settings pnpm passes to scripts.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, out: `${stdout}${stderr}${err && typeof err.code !== 'number' ? String(err) : ''}` });
    });
  });
}

/** The first ```ts block of the root README's "Use it" section, as written. */
function readmeExample(): string {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /## Use it[\s\S]*?```ts\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error('README.md: no ```ts block under "## Use it"');
  return m[1]!;
}

describe.skipIf(!built)('packed packages', () => {
  beforeAll(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(packs, { recursive: true });
    for (const d of PUBLIC) {
      const name = JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')).name as string;
      const before = new Set(readdirSync(packs));
      const p = await run('pnpm', ['pack', '--pack-destination', packs], join(ROOT, d));
      if (p.code !== 0) throw new Error(`${d}: pnpm pack failed:\n${p.out}`);
      const made = readdirSync(packs).find((f) => !before.has(f));
      if (!made) throw new Error(`${d}: pnpm pack made no tarball`);
      tarballs.set(name, join(packs, made));
    }
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tfweights-user', private: true, type: 'module' }));
    const r = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs.values()], app);
    if (r.code !== 0) throw new Error(`npm install of the tarballs failed:\n${r.out}`);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('every tarball carries LICENSE (Apache-2.0), README, dist and the ESM-only require stub', () => {
    for (const [name, tgz] of tarballs) {
      const files = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).split('\n');
      expect(files, name).toEqual(expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/esm-only.cjs', 'package/package.json']));
      expect(files.some((f) => f.startsWith('package/dist/')), name).toBe(true);
      expect(execFileSync('tar', ['xzOf', tgz, 'package/LICENSE'], { encoding: 'utf8' }), name).toContain('Apache License\n                           Version 2.0');
      const manifest = JSON.parse(execFileSync('tar', ['xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
      expect(JSON.stringify(manifest), `${name}: workspace: protocol left in the packed manifest`).not.toContain('workspace:');
    }
  });

  it('publint finds nothing to fix', async () => {
    const results = await Promise.all([...tarballs].map(async ([name, tgz]) => ({ name, ...(await run(join(BIN, 'publint'), ['run', tgz, '--strict'], work)) })));
    for (const r of results) expect(r.code, `${r.name}:\n${r.out}`).toBe(0);
  });

  it('@arethetypeswrong/cli: types resolve for node16 (ESM) and bundler', async () => {
    const results = await Promise.all([...tarballs].map(async ([name, tgz]) => ({ name, ...(await run(join(BIN, 'attw'), [tgz, '--profile', 'esm-only', '--format', 'ascii'], work)) })));
    for (const r of results) expect(r.code, `${r.name}:\n${r.out}`).toBe(0);
  });

  it('npx tfweights --version prints the CLI version', async () => {
    const r = await run('npx', ['--no-install', 'tfweights', '--version'], app);
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'apps/converter/package.json'), 'utf8')).version);
  });

  it('require() of an ESM-only package says so', async () => {
    for (const name of tarballs.keys()) {
      const r = await run('node', ['-e', `require(${JSON.stringify(name)})`], app);
      expect(r.code, name).not.toBe(0);
      expect(r.out, name).toContain(`${name} is ESM-only`);
    }
  });

  it('installs without @tensorflow/tfjs-core (an optional peer of the bridge only)', () => {
    expect(existsSync(join(app, 'node_modules/@tensorflow/tfjs-core'))).toBe(false);
  });

  it("the root README's example runs with Node and type-checks under node16 and bundler with skipLibCheck false", async () => {
    cpSync(join(ROOT, 'examples/data/iris-mlp'), join(app, 'iris-mlp'), { recursive: true });
    const conv = await run('npx', ['--no-install', 'tfweights', 'convert', 'iris-mlp', 'model.h5', '--drop-optimizer', '--force'], app);
    expect(conv.code, conv.out).toBe(0);
    const source = readmeExample();
    writeFileSync(join(app, 'example.ts'), source);
    // Node runs the example as JavaScript: TypeScript's own transpiler strips the types, if any.
    const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
    writeFileSync(join(app, 'example.mjs'), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
    const r = await run('node', ['example.mjs'], app);
    expect(r.code, r.out).toBe(0);
    expect(existsSync(join(app, 'scaled.h5'))).toBe(true);
    for (const [module, moduleResolution] of [['node16', 'node16'], ['esnext', 'bundler']] as const) {
      writeFileSync(join(app, `tsconfig.${moduleResolution}.json`), JSON.stringify({
        compilerOptions: { module, moduleResolution, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['example.ts'],
      }));
      const t = await run('node', [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${moduleResolution}.json`], app);
      expect(t.code, `tsc ${moduleResolution}:\n${t.out}`).toBe(0);
    }
  });
});
