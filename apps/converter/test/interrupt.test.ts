/**
 * Ctrl-C, SIGTERM, SIGHUP and kill -9 in the middle of a conversion, for every output
 * format: the built CLI (spawned through tsx from the sources) exits 130 / 143 / 129, and
 * leaves no temporary file beside the output, no partial output and no `.keras` staging folder
 * in $TMPDIR; after a kill -9 the next run names the leftover and --force removes it.
 * The input is served over HTTP by the test, which holds back the second half of the tensor
 * data until the signal has been sent: the conversion has provably started (its temporary
 * output exists) and cannot finish first, however loaded the machine is.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTensor } from '@tfweights/core';
import { npzBytes } from '@tfweights/npy';
import { startHttpServer, tempDir, type HttpTestServer, runProcess } from '@tfweights/testkit';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = tempDir('tfw-interrupt-');
afterAll(() => tmp.cleanup());
const input = join(tmp.path, 'in.npz');
const staging = join(tmp.path, 'tmpdir');
let server: HttpTestServer;
/** The gate on the served input: data reads in its second half wait until `release()`. */
let gate = { stalled: false, release: () => undefined as void, opened: Promise.resolve() };
function arm(): typeof gate {
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  gate = { stalled: false, release, opened };
  return gate;
}

beforeAll(async () => {
  mkdirSync(staging);
  // 48 layers × 1 MiB: long enough to be interrupted mid-way, small enough for CI.
  const tensors = Array.from({ length: 48 }, (_, i) => makeTensor(`layer${i}/kernel`, 'float32', [512, 512], new Uint8Array(1 << 20).fill(i)));
  const bytes = await npzBytes(tensors);
  writeFileSync(input, bytes);
  server = await startHttpServer({
    files: {
      '/in.npz': {
        size: bytes.byteLength,
        read: async (o, n) => {
          // Headers and the central directory are small reads; tensor data comes in big ones.
          if (n >= 256 * 1024 && o >= bytes.byteLength / 2) {
            const g = gate;
            g.stalled = true;
            await g.opened;
          }
          return bytes.subarray(o, o + n);
        },
      },
    },
  });
});
afterAll(async () => {
  gate.release();
  await server?.close();
});

const OUTPUTS: [string, string[]][] = [
  ['ckpt/model.ckpt', ['--to', 'checkpoint']], ['out.h5', []], ['out.weights.h5', []], ['out.keras', []],
  ['out.npz', []], ['out.safetensors', []], ['tfjs_out', ['--to', 'tfjs']], ['npy_out', ['--to', 'npy']],
];

/** Everything in the output folder and $TMPDIR that a finished or cleaned-up run must not leave. */
function leftovers(dir: string): string[] {
  const here = existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((n) => n.includes('.tfw-') || n.includes('tfw-keras-')) : [];
  return [...here, ...readdirSync(staging).filter((n) => n.startsWith('tfw-'))]; // tsx keeps its own cache in $TMPDIR
}

/**
 * Start a conversion of the served input and kill it with `sig` once it is held at the gate
 * with its first temporary file (beside the output or in $TMPDIR) in place.
 */
async function interrupted(out: string, extra: string[], sig: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }> {
  const g = arm();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/bin.ts', 'convert', `${server.url}/in.npz`, out, ...extra], {
    cwd: appDir, env: { ...process.env, TMPDIR: staging }, stdio: 'ignore',
  });
  const done = new Promise<{ code: number | null; signal: string | null }>((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  const dir = dirname(out);
  let exited = false;
  void done.then(() => (exited = true));
  const started = () => (existsSync(dir) && readdirSync(dir, { recursive: true }).map(String).some((n) => n.includes('.tfw-'))) || readdirSync(staging).some((n) => n.startsWith('tfw-'));
  for (let i = 0; i < 6000 && !exited && !(g.stalled && started()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(exited, 'the conversion ended before it reached the gate').toBe(false);
  expect(g.stalled && started(), 'the conversion never reached the gate with a temporary file').toBe(true);
  child.kill(sig);
  const r = await done;
  g.release();
  return r;
}

describe('interrupted conversions', () => {
  for (const [name, extra] of OUTPUTS) {
    it(`${name}: SIGINT mid-way exits 130 and leaves nothing`, async () => {
      const dir = join(tmp.path, `int-${name.replace(/\W/g, '_')}`);
      mkdirSync(dir);
      const out = join(dir, name);
      const r = await interrupted(out, extra, 'SIGINT');
      expect(r, 'the conversion ended before it could be interrupted').toEqual({ code: 130, signal: null });
      expect(leftovers(dir)).toEqual([]);
      expect(existsSync(out)).toBe(false);
    });
  }
  it('SIGTERM exits 143 and SIGHUP 129, leaving nothing', async () => {
    for (const [sig, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      const dir = join(tmp.path, `sig-${sig}`);
      mkdirSync(dir);
      expect(await interrupted(join(dir, 'out.weights.h5'), [], sig)).toEqual({ code, signal: null });
      expect(leftovers(dir)).toEqual([]);
    }
  });
  it('kill -9: the next run names the leftover, --force removes it and writes the output', async () => {
    const dir = join(tmp.path, 'kill9');
    mkdirSync(dir);
    const out = join(dir, 'out.safetensors');
    expect((await interrupted(out, [], 'SIGKILL')).signal).toBe('SIGKILL');
    expect(readdirSync(dir).filter((n) => n.includes('.tfw-')).length).toBe(1);
    const again = await runProcess(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/bin.ts', 'convert', input, out], { cwd: appDir });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/interrupted earlier run left \.out\.safetensors\.tfw-\d+-[0-9a-f]{8}\.tmp/);
    const forced = await runProcess(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/bin.ts', 'convert', input, out, '--force'], { cwd: appDir });
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['out.safetensors']);
  });
});
