/**
 * hf:// through the CLI against a local server standing in for the Hub (HF_ENDPOINT): the
 * fixtures are served only at /acme/models/resolve/v2/…, so every layout listed here works only
 * when the revision reaches every sibling (checkpoint .index / shard / prefix / folder with
 * its state file, SavedModel variables/, tfjs shards), written after the path (`…@v2`) or
 * after the repository (`hf://acme/models@v2/…`), with HF_TOKEN sent as a bearer token.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, fixturesRoot, haveFixtures, startHttpServer, tempDir, type HttpTestServer } from '@tfweights/testkit';
import { defaultRegistry } from 'tfweights';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';

const registry = defaultRegistry();
const have = haveFixtures();
const TOKEN = 'hf_remote_test_token';

async function cli(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io, { registry });
  return { code, out: io.stdout(), err: io.stderr() };
}

let srv: HttpTestServer;
let tmp: { path: string; cleanup: () => void };
const saved = { endpoint: process.env.HF_ENDPOINT, token: process.env.HF_TOKEN };
beforeAll(async () => {
  tmp = tempDir('tfw-remote-hf-');
  if (!fixturesRoot) return;
  // The Hub's layout: <owner>/<repo>/resolve/<revision>/<path in the repository>.
  mkdirSync(join(tmp.path, 'acme', 'models', 'resolve'), { recursive: true });
  symlinkSync(fixturesRoot, join(tmp.path, 'acme', 'models', 'resolve', 'v2'));
  srv = await startHttpServer({ root: tmp.path });
  process.env.HF_ENDPOINT = srv.url;
  process.env.HF_TOKEN = TOKEN;
});
afterAll(async () => {
  for (const [k, v] of [['HF_ENDPOINT', saved.endpoint], ['HF_TOKEN', saved.token]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await srv?.close();
  tmp?.cleanup();
});

/** Path in the repository (= under the fixtures), and the local equivalent. */
const FORMS: [string, string][] = [
  ['checkpoint/tf1-simple/model-three-variables.ckpt.index', 'checkpoint/tf1-simple/model-three-variables.ckpt'],
  ['checkpoint/tf1-simple/model-three-variables.ckpt', 'checkpoint/tf1-simple/model-three-variables.ckpt'],
  ['checkpoint/tf1-simple/model-three-variables.ckpt.data-00000-of-00001', 'checkpoint/tf1-simple/model-three-variables.ckpt'],
  ['checkpoint/tf2-keras-lso-2shards', 'checkpoint/tf2-keras-lso-2shards'],
  ['checkpoint/tf2-keras-lso-2shards/checkpoint', 'checkpoint/tf2-keras-lso-2shards'],
  ['savedmodel/half-plus-two-tf2', 'savedmodel/half-plus-two-tf2'],
  ['tfjs/tensorspace-lenet-layers/model.json', 'tfjs/tensorspace-lenet-layers/model.json'],
  ['keras3/student-adam/model.keras', 'keras3/student-adam/model.keras'],
  ['npy/numpy-savez/py3-arr-savez.npz', 'npy/numpy-savez/py3-arr-savez.npz'],
];

const tensorsOf = (out: string) => (JSON.parse(out) as { format: string; tensors: { key: string; dtype: string; shape: number[] }[] });

describe.skipIf(!have)('hf:// with a revision, every layout', () => {
  for (const [repoPath, localPath] of FORMS) {
    for (const loc of [`hf://acme/models/${repoPath}@v2`, `hf://acme/models@v2/${repoPath}`]) {
      it(loc, async () => {
        const mark = srv.requests.length;
        const r = await cli('ls', loc, '--json');
        expect(r.code, r.err).toBe(0);
        const local = await cli('ls', fixture(...localPath.split('/')), '--json');
        expect(tensorsOf(r.out).format).toBe(tensorsOf(local.out).format);
        expect(tensorsOf(r.out).tensors).toEqual(tensorsOf(local.out).tensors);
        const sent = srv.requests.slice(mark);
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.filter((q) => !q.path.startsWith('/acme/models/resolve/v2/'))).toEqual([]);
        expect(sent.filter((q) => q.authorization !== `Bearer ${TOKEN}`)).toEqual([]);
      });
    }
  }

  it('show and diff read tensors at the revision', async () => {
    const loc = 'hf://acme/models/checkpoint/tf1-simple/model-three-variables.ckpt.index@v2';
    const local = fixture('checkpoint', 'tf1-simple', 'model-three-variables.ckpt');
    const first = tensorsOf((await cli('ls', loc, '--json')).out).tensors[0]!.key;
    const shown = await cli('show', loc, first, '--json');
    expect(shown.code, shown.err).toBe(0);
    expect(JSON.parse(shown.out)).toEqual(JSON.parse((await cli('show', local, first, '--json')).out));
    const d = await cli('diff', loc, local, '--json');
    expect(d.code, d.out).toBe(0);
    expect(JSON.parse(d.out).compared).toBeGreaterThan(0);
  });

  it('without the revision the default (main) is asked, which this Hub does not have', async () => {
    const r = await cli('ls', 'hf://acme/models/checkpoint/tf1-simple/model-three-variables.ckpt.index');
    expect(r.code).toBe(2);
    expect(srv.requests.at(-1)!.path).toMatch(/^\/acme\/models\/resolve\/main\//);
  });
});
