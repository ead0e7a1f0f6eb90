/** The real executable, spawned through tsx from the sources: exit codes and streams. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, runProcess } from '@tfweights/testkit';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = tempDir('tfw-bin-');
afterAll(() => tmp.cleanup());

async function cli(...args: string[]) {
  const r = await runProcess(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/bin.ts', ...args], { cwd: appDir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tfweights executable', async () => {
  it('--help exits 0 and lists the commands and exit codes', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: tfweights/);
    for (const c of ['ls', 'show', 'convert', 'diff']) expect(r.out).toContain(c);
    expect(r.out).toContain('Exit codes:');
  });
  it('an unreadable file is one line on stderr and exit 2', async () => {
    const p = join(tmp.path, 'page.h5');
    writeFileSync(p, '<!doctype html><html></html>');
    const r = await cli('ls', p);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^tfweights: .*page\.h5: cannot read this: it is an HTML\/XML page/);
  });
  it('an unknown command exits 2', async () => {
    expect((await cli('nope')).code).toBe(2);
  });
});
