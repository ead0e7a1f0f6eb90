/**
 * The CLI on what cannot be converted: an `.npz` member holding a pickled object array is
 * listed as refused with the reason and never converts to an empty file; bfloat16 into `.npz`
 * follows `--bfloat16`; the summary names what was widened or left out.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesOf, makeTensor } from '@tfweights/core';
import { writeSafetensors } from '@tfweights/safetensors/node';
import { pythonWith, runPython, tempDir } from '@tfweights/testkit';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';

const py = pythonWith('numpy');
const dir = tempDir('tfw-cli-refused-');
afterAll(dir.cleanup);

const run = async (...argv: string[]) => {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe.skipIf(!py)('an .npz with a pickled object array (made by NumPy)', () => {
  const objects = join(dir.path, 'objects.npz');
  const mixed = join(dir.path, 'mixed.npz');
  it('ls lists the member as refused with the reason, in text and JSON', async () => {
    await runPython(py!, `
import sys, numpy as np
np.savez(sys.argv[1], a=np.array([{"x": 1}], dtype=object))
np.savez(sys.argv[2], a=np.array([{"x": 1}], dtype=object), w=np.arange(3, dtype=np.float32))
`, [objects, mixed]);
    const text = await run('ls', objects);
    expect(text.code).toBe(0);
    expect(text.out).toContain('npz, 0 tensors, 0 B; 1 refused');
    expect(text.out).toContain("  refused  a: object arrays hold pickled Python objects; refused (never unpickled) (found descr '|O')");
    const json = JSON.parse((await run('ls', mixed, '--json')).out);
    expect(json.tensors.map((t: { key: string }) => t.key)).toEqual(['w']);
    expect(json.refused).toEqual([{ key: 'a', why: "object arrays hold pickled Python objects; refused (never unpickled) (found descr '|O')" }]);
  });

  it('convert fails (exit 2) and writes nothing when every member is refused; with others, says what it left out', async () => {
    const out = join(dir.path, 'objects.safetensors');
    const bad = await run('convert', objects, out);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/nothing to convert: every entry is refused \(a: object arrays hold pickled Python objects/);
    expect(existsSync(out)).toBe(false);
    const ok = await run('convert', mixed, join(dir.path, 'mixed.safetensors'));
    expect(ok.code).toBe(0);
    expect(ok.err).toContain('left out 1 unreadable entry: object arrays hold pickled Python objects');
    expect(ok.err).toContain('1 tensors');
  });
});

describe('--bfloat16 for NumPy outputs', () => {
  it('widens by default and says so; raw and refuse on request; --help documents it', async () => {
    const input = join(dir.path, 'bf.safetensors');
    await writeSafetensors(input, [makeTensor('scale', 'bfloat16', [2], bytesOf(Uint16Array.from([0x3f80, 0xc000])))]);
    const widened = await run('convert', input, join(dir.path, 'bf.npz'));
    expect(widened.code).toBe(0);
    expect(widened.err).toMatch(/^widened 1 bfloat16 tensor\(s\) exactly to float32: NumPy has no bfloat16 .*: scale$/m);
    const raw = await run('convert', input, join(dir.path, 'raw.npz'), '--bfloat16', 'raw');
    expect(raw.code).toBe(0);
    expect(raw.err).not.toContain('widened');
    const refuse = await run('convert', input, join(dir.path, 'refuse.npz'), '--bfloat16', 'refuse');
    expect(refuse.code).toBe(2);
    expect(refuse.err).toContain('NumPy has no bfloat16');
    expect(existsSync(join(dir.path, 'refuse.npz'))).toBe(false);
    expect((await run('convert', input, join(dir.path, 'x.npz'), '--bfloat16', 'half')).code).toBe(2);
    const help = await run('convert', '--help');
    expect(help.out).toMatch(/--bfloat16 <how>/);
    expect(help.out).toMatch(/left out with the reason/);
  });
});
