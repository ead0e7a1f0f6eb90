/**
 * A full disk during every non-Keras output (checkpoint, npz, safetensors, tfjs, npy folder;
 * the Keras writers have packages/keras/test/full-disk.test.ts): the CLI prints one ENOSPC
 * line (IoError), exits non-zero, never says "wrote …", and leaves nothing at the target and
 * no temporary file. Uses an 8 MiB tmpfs (testkit smallTmpfs; skipped where mount is refused).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@tfweights/core';
import { npzBytes } from '@tfweights/npy';
import { seededRandom, smallTmpfs, tempDir, runProcess } from '@tfweights/testkit';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = tempDir('tfw-fulldisk-in-');
const disk = smallTmpfs(8);
afterAll(() => {
  disk.cleanup();
  tmp.cleanup();
});
const input = join(tmp.path, 'in.npz');

beforeAll(async () => {
  // 12 × 1 MiB of random bytes (nothing compresses them under the 8 MiB the disk holds).
  const rnd = seededRandom(17);
  const tensors = Array.from({ length: 12 }, (_, i) => makeTensor(`layer${i}/kernel`, 'float32', [512, 512], Uint8Array.from({ length: 1 << 20 }, () => rnd() * 256)));
  writeFileSync(input, await npzBytes(tensors));
});

const OUTPUTS: [string, string[]][] = [
  ['ckpt/model.ckpt', ['--to', 'checkpoint']], ['out.npz', []], ['out.safetensors', []], ['tfjs_out', ['--to', 'tfjs']], ['npy_out', ['--to', 'npy']],
];

describe.skipIf(!disk.mounted)('CLI writers on a full disk', () => {
  for (const [name, extra] of OUTPUTS) {
    it(`${name}: one ENOSPC line, non-zero exit, nothing left`, async () => {
      const out = join(disk.path, name);
      const r = await runProcess(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/bin.ts', 'convert', input, out, ...extra], { cwd: appDir });
      const said = `${r.stdout}${r.stderr}`;
      expect(r.status, said).not.toBe(0);
      expect(said).not.toMatch(/wrote /);
      const lines = r.stderr.trim().split('\n');
      expect(lines, said).toHaveLength(1);
      expect(lines[0]).toMatch(/ENOSPC/);
      expect(lines[0]).toMatch(/write failed/); // IoError's message
      expect(existsSync(out), `${out} appeared`).toBe(false);
      expect(readdirSync(disk.path, { recursive: true }), 'left files on the disk').toEqual([]);
    });
  }
});
