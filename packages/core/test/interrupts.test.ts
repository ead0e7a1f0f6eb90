/**
 * Interrupted and racing writes: SIGINT / SIGTERM / SIGHUP remove every temporary file and
 * exit 130 / 143 / 129; a kill -9 leaves a temporary file that the next run names and
 * --force (overwrite) removes; two writers racing to one output: one wins whole, the other
 * fails cleanly; a symlink at the output is replaced, not followed; a multi-file commit that
 * fails midway never leaves the old index beside new data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AtomicFileSet, createFileSink, liveTemps } from '../src/node/index.js';

const tmp = { path: mkdtempSync(join(tmpdir(), 'tfw-core-interrupt-')) };
afterAll(() => rmSync(tmp.path, { recursive: true, force: true }));
const ROOT = resolve(__dirname, '../../..');
const NODE_ENTRY = resolve(__dirname, '../src/node/index.ts');

/** A child that opens an atomic sink for `target`, writes, says "ready" and waits to be killed. */
function childWriting(target: string): { ready: Promise<void>; exit: Promise<{ code: number | null; signal: string | null }>; kill(sig: NodeJS.Signals): void } {
  const script = join(tmp.path, `child-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(script, `
    import { AtomicFileSet, createFileSink } from ${JSON.stringify(NODE_ENTRY)};
    const sink = await createFileSink(${JSON.stringify(target)});
    await sink.write(new Uint8Array(1 << 20));
    const set = new AtomicFileSet();
    await (await set.sink(${JSON.stringify(`${target}.data`)})).write(new Uint8Array(10));
    await set.path(${JSON.stringify(`${target}.h5`)});
    console.log('ready');
    setInterval(() => undefined, 1000);
  `);
  // node itself (not the tsx wrapper) so that kill -9 reaches the writing process.
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
    child.on('exit', () => fail(new Error('child ended before it was ready')));
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  return { ready, exit, kill: (sig) => child.kill(sig) };
}

const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.tfw-'));

describe('signals and temporary files', () => {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${sig} during a write removes every temporary file and exits ${code}`, async () => {
      const dir = join(tmp.path, sig);
      mkdirSync(dir);
      const c = childWriting(join(dir, 'out.bin'));
      await c.ready;
      expect(leftovers(dir).length).toBe(2); // the sink's file and the set member's (set.path only names one)
      c.kill(sig);
      expect(await c.exit).toEqual({ code, signal: null });
      expect(readdirSync(dir).filter((n) => !n.endsWith('.ts'))).toEqual([]);
    });
  }
  it('kill -9 leaves a temporary file the next run names, and overwrite removes it', async () => {
    const dir = join(tmp.path, 'kill9');
    mkdirSync(dir);
    const target = join(dir, 'out.bin');
    const c = childWriting(target);
    await c.ready;
    c.kill('SIGKILL');
    await c.exit;
    expect(leftovers(dir).filter((n) => n.startsWith('.out.bin.tfw-')).length).toBe(1);
    await expect(createFileSink(target)).rejects.toMatchObject({ code: 'InvalidArgument', file: target, message: expect.stringMatching(/interrupted earlier run left \.out\.bin\.tfw-\d+-[0-9a-f]{8}\.tmp/) });
    const s = await createFileSink(target, { overwrite: true });
    await s.write(new Uint8Array([1]));
    await s.finish();
    expect(leftovers(dir).filter((n) => n.startsWith('.out.bin.tfw-'))).toEqual([]);
    expect(readFileSync(target)).toEqual(Buffer.from([1]));
  });
});

describe('races, symlinks and multi-file commits', () => {
  it('two writers to one output: one wins whole, the other fails cleanly', async () => {
    const target = join(tmp.path, 'race.bin');
    const a = await createFileSink(target);
    const b = await createFileSink(target);
    await a.write(new Uint8Array(1000).fill(0xaa));
    await b.write(new Uint8Array(2000).fill(0xbb));
    const results = await Promise.allSettled([a.finish(), b.finish()]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'InvalidArgument', file: target });
    const got = readFileSync(target);
    expect(got.length === 1000 ? got.every((x) => x === 0xaa) : got.length === 2000 && got.every((x) => x === 0xbb)).toBe(true);
    expect(leftovers(tmp.path).filter((n) => n.startsWith('.race'))).toEqual([]);
  });
  it('an output that is a symlink is replaced, not followed', async () => {
    const victim = join(tmp.path, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const link = join(tmp.path, 'link.bin');
    symlinkSync(victim, link);
    await expect(createFileSink(link)).rejects.toMatchObject({ code: 'InvalidArgument' });
    const s = await createFileSink(link, { overwrite: true });
    await s.write(new Uint8Array([7]));
    await s.finish();
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
  });
  it('a commit that fails midway leaves no old index beside new data', async () => {
    const dir = join(tmp.path, 'set');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ck.index'), 'old index');
    writeFileSync(join(dir, 'ck.data-0'), 'old data 0');
    mkdirSync(join(dir, 'ck.data-1'));
    writeFileSync(join(dir, 'ck.data-1', 'x'), 'a folder cannot be renamed over');
    const set = new AtomicFileSet({ overwrite: true });
    const index = await set.sink(join(dir, 'ck.index'), { last: true });
    const d0 = await set.sink(join(dir, 'ck.data-0'));
    const d1 = await set.sink(join(dir, 'ck.data-1'));
    for (const s of [index, d0, d1]) await s.write(new TextEncoder().encode('new'));
    await expect(set.commit()).rejects.toBeDefined();
    await set.abort();
    const names = readdirSync(dir).sort();
    expect(names).not.toContain('ck.index'); // neither the old index (over new data 0) nor the new one
    expect(leftovers(dir)).toEqual([]);
    expect(liveTemps().filter((p) => p.startsWith(dir))).toEqual([]);
  });
});
