/**
 * AtomicFolder, the whole-folder commit of tfjs and npy-folder outputs: the new folder is
 * swapped in whole; a folder that became someone else's before the commit is refused and kept;
 * when the rename of the new folder fails, the old folder is put back as it was.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** When set, rename() of this source-suffix onto a folder fails once (a full or failing disk). */
const failing = vi.hoisted(() => ({ onto: undefined as string | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      if (failing.onto !== undefined && to === failing.onto && from.endsWith('.tmp')) {
        failing.onto = undefined;
        throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      }
      return real.rename(from, to);
    },
  };
});
const { AtomicFolder } = await import('../src/node/atomic.js');

const dir = mkdtempSync(join(tmpdir(), 'tfw-atomic-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeFolder(out: string, files: Record<string, string>, opts = {}): Promise<void> {
  const f = await AtomicFolder.create(out, 'index.json', opts);
  for (const [name, text] of Object.entries(files)) {
    const s = await f.sink(name, { last: name === 'index.json' });
    await s.write(new TextEncoder().encode(text));
  }
  await f.commit();
}

describe('AtomicFolder', () => {
  it('replaces an old folder whole', async () => {
    const out = join(dir, 'whole');
    await writeFolder(out, { 'a.npy': 'a', 'b.npy': 'b', 'index.json': '1' });
    await writeFolder(out, { 'c.npy': 'c', 'index.json': '2' }, { overwrite: true });
    expect(readdirSync(out).sort()).toEqual(['c.npy', 'index.json']);
    expect(readdirSync(dir)).toEqual(['whole']);
  });

  it('refuses at commit a folder that became someone else\'s, and keeps it', async () => {
    const out = join(dir, 'raced');
    const f = await AtomicFolder.create(out, 'index.json', { overwrite: true });
    await (await f.sink('index.json', { last: true })).write(new Uint8Array([49]));
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await expect(f.commit()).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/did not write/) });
    expect(readdirSync(out)).toEqual(['notes.txt']);
    expect(readdirSync(dir).filter((n) => n.includes('.tfw-'))).toEqual([]);
  });

  it('puts the old folder back when the new one cannot be renamed in', async () => {
    const out = join(dir, 'putback');
    await writeFolder(out, { 'a.npy': 'old', 'index.json': 'old' });
    failing.onto = out;
    await expect(writeFolder(out, { 'b.npy': 'new', 'index.json': 'new' }, { overwrite: true })).rejects.toThrow(/EIO/);
    expect(failing.onto, 'the failing rename was not reached').toBeUndefined();
    expect(readdirSync(out).sort()).toEqual(['a.npy', 'index.json']);
    expect(readFileSync(join(out, 'index.json'), 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((n) => n.includes('.tfw-'))).toEqual([]);
  });
});
