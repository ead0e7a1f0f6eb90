/**
 * The docs run as written: every ```sh / ```ts / ```js block of the READMEs and RELEARNING.md is
 * extracted and run (sh with bash -e, ts/js with tsx on the workspace sources) in a sandbox: a
 * folder of links to the repository's top level, with `../shared` beside it and the files the
 * docs name as "your own" (model.h5, model.weights.h5, model.json …) made from the bundled
 * example checkpoint. A block that cannot run standalone is marked just before it with
 * `<!-- not-run: reason -->`; ```json / ```python / plain blocks are output or Python and are not run
 * here (the Python side of RELEARNING.md is run by real-keras.test.ts). Each block is one test
 * named `file:line`, so a doc change that breaks a block names it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesRoot } from '@tfweights/testkit';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = ['README.md', ...['packages', 'apps'].flatMap((g) => readdirSync(join(ROOT, g)).sort().map((p) => `${g}/${p}/README.md`)),
  'examples/README.md', 'examples/RELEARNING.md'].filter((f) => existsSync(join(ROOT, f)));
const RUN = new Set(['sh', 'bash', 'shell', 'ts', 'typescript', 'js', 'javascript']);

interface Block { file: string; line: number; lang: string; code: string; notRun?: string }

/** Fenced blocks of a Markdown file, with the `<!-- not-run: … -->` mark that precedes one. */
export function blocksOf(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    let j = start - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const mark = j >= 0 ? /^<!--\s*not-run:\s*(.+?)\s*-->$/.exec(lines[j]!.trim()) : null;
    out.push({ file, line: start + 1, lang: open[1]!.toLowerCase(), code: body.join('\n') + '\n', ...(mark ? { notRun: mark[1]! } : {}) });
  }
  return out;
}

const blocks = DOCS.flatMap((f) => blocksOf(f, readFileSync(join(ROOT, f), 'utf8'))).filter((b) => RUN.has(b.lang));
const work = mkdtempSync(join(tmpdir(), 'tfw-docs-'));
const sandbox = join(work, 'repo');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20, env: { ...process.env, FORCE_COLOR: '0' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: `${stdout}${stderr}${err && typeof err.code !== 'number' ? String(err) : ''}` });
    });
  });
}

/** Link `from`'s entries into `to` (a real folder), merging scoped folders; existing entries win. */
function linkEntries(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const target = join(to, name);
    if (name.startsWith('@')) linkEntries(join(from, name), target);
    else if (!existsSync(target)) symlinkSync(join(from, name), target);
  }
}

beforeAll(async () => {
  mkdirSync(sandbox);
  for (const name of readdirSync(ROOT)) if (!['node_modules', '.git'].includes(name) && !name.startsWith('test-results')) symlinkSync(join(ROOT, name), join(sandbox, name));
  // Imports the docs use: the workspace packages (examples' links), their tools, and the CLI.
  linkEntries(join(ROOT, 'examples/node_modules'), join(sandbox, 'node_modules'));
  linkEntries(join(ROOT, 'node_modules'), join(sandbox, 'node_modules'));
  for (const dir of ['packages', 'apps'].flatMap((g) => readdirSync(join(ROOT, g)).map((p) => join(ROOT, g, p)))) {
    const pkg = join(dir, 'package.json');
    if (!existsSync(pkg)) continue;
    const target = join(sandbox, 'node_modules', JSON.parse(readFileSync(pkg, 'utf8')).name as string);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) symlinkSync(dir, target);
  }
  if (fixturesRoot) symlinkSync(dirname(fixturesRoot), join(work, 'shared'));
  // "model.h5" and friends in the docs stand for the reader's own files: the bundled iris MLP.
  const cli = (...args: string[]) => run(process.execPath, ['--conditions=source', '--import', 'tsx', join(ROOT, 'apps/converter/src/bin.ts'), ...args], sandbox);
  const iris = 'examples/data/iris-mlp';
  for (const args of [
    ['convert', iris, 'model.h5', '--template', `${iris}/model.json`, '--drop-optimizer'],
    ['convert', iris, 'model.weights.h5', '--template', `${iris}/model.json`, '--drop-optimizer'],
    ['convert', iris, 'model.keras', '--template', `${iris}/model.json`, '--drop-optimizer'],
  ]) {
    const r = await cli(...args);
    if (r.code !== 0) throw new Error(`docs sandbox: tfweights ${args.join(' ')} failed:\n${r.out}`);
  }
  writeFileSync(join(sandbox, 'model.json'), readFileSync(join(ROOT, iris, 'model.json')));
}, 300_000);

describe('docs run as written', () => {
  it('finds the blocks', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });
  for (const b of blocks) {
    const name = `${b.file}:${b.line} (${b.lang})`;
    if (b.notRun) {
      it.skip(`${name} — not run: ${b.notRun}`, () => {});
      continue;
    }
    const needsFixtures = /\.\.\/shared\/fixtures|\$F\b/.test(b.code);
    it.skipIf(needsFixtures && !fixturesRoot)(name, async () => {
      // Each block gets its own folder (links to the sandbox's entries), so what one block
      // writes (scaled.h5 …) is not in the way of the next.
      const cwd = join(work, `block-${b.file.replace(/\W+/g, '_')}-${b.line}`);
      mkdirSync(cwd);
      for (const entry of readdirSync(sandbox)) symlinkSync(join(sandbox, entry), join(cwd, entry));
      const ext = b.lang.startsWith('t') ? 'mts' : b.lang.startsWith('j') ? 'mjs' : 'sh';
      const file = join(cwd, `doc-block.${ext}`);
      writeFileSync(file, ext === 'sh' ? `set -euo pipefail\nF=../shared/fixtures\n${b.code}` : b.code);
      const r = ext === 'sh'
        ? await run('bash', [file], cwd)
        : await run(process.execPath, ['--conditions=source', '--import', 'tsx', file], cwd);
      expect(r.code, `${b.file}:${b.line}: the ${b.lang} block failed (run in ${cwd}):\n${r.out}`).toBe(0);
    });
  }
});
