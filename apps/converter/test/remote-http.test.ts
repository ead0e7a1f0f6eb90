/**
 * Every fixture format read over HTTP from a real range-capable server on 127.0.0.1 (shards,
 * `variables/`, the `checkpoint` state file and tfjs shards resolved beside the URL), with
 * `ls`, `show`, `diff` and `convert`; and counted requests on a synthetic 4 GiB checkpoint
 * whose data file exists only virtually: `ls` reads the index alone, one tensor is one range.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleWriter } from '@tfweights/checkpoint';
import { MemorySink, makeTensor, type ByteSink } from '@tfweights/core';
import { fixture, fixtureFolders, fixturesRoot, haveFixtures, loadTruth, startHttpServer, tempDir, type HttpTestServer } from '@tfweights/testkit';
import { defaultRegistry } from 'tfweights';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';

const registry = defaultRegistry();
const have = haveFixtures();
const GiB = 2 ** 30;

async function cli(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io, { registry });
  return { code, out: io.stdout(), err: io.stderr() };
}

/** A data sink that only counts (the big tensors are zeros, served virtually). */
function countingSink(name: string): ByteSink {
  let position = 0;
  return { name, get position() { return position; }, write: async (b) => { position += b.byteLength; }, finish: async () => undefined, abort: async () => undefined };
}

/** Index of a checkpoint of four 1 GiB float32 tensors of zeros and one small one, written by our BundleWriter. */
async function bigCheckpointIndex(): Promise<{ index: Uint8Array; dataSize: number }> {
  const index = new MemorySink('big.index');
  const data = countingSink('big.data');
  const w = new BundleWriter(index, [data]);
  const zeros = new Uint8Array(GiB); // calloc'd: untouched pages cost no memory
  for (let i = 0; i < 4; i++) await w.write(makeTensor(`layer${i}/kernel`, 'float32', [2 ** 14, 2 ** 14], zeros));
  await w.write(makeTensor('small/bias', 'float32', [1024], new Uint8Array(4096)));
  await w.finish();
  return { index: index.bytes(), dataSize: data.position };
}

let srv: HttpTestServer;
let tmp: { path: string; cleanup: () => void };
beforeAll(async () => {
  tmp = tempDir('tfw-remote-http-');
  const big = await bigCheckpointIndex();
  srv = await startHttpServer({
    ...(fixturesRoot ? { root: fixturesRoot } : {}),
    files: {
      '/big/ckpt.index': big.index,
      '/big/ckpt.data-00000-of-00001': { size: big.dataSize, read: (_o, n) => new Uint8Array(n) },
    },
  });
}, 120_000);
afterAll(async () => {
  await srv?.close();
  tmp?.cleanup();
});

describe('a multi-GiB checkpoint over HTTP, counted', () => {
  it('ls reads only the index; show of one tensor is one range of the data file', async () => {
    const before = srv.requests.length;
    const r = await cli('ls', `${srv.url}/big/ckpt`, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { tensors: { key: string; bytes: number }[] };
    expect(j.tensors.reduce((s, t) => s + t.bytes, 0)).toBeGreaterThan(4 * GiB);
    const reqs = srv.requests.slice(before);
    // Format detection (the prefix and the folder markers: 404s), the .index probe, then the
    // index's footer, index block and data block; nothing of the 4 GiB data file.
    expect(reqs.filter((q) => q.path.includes('.data-')).length).toBe(0);
    expect(reqs.filter((q) => q.path === '/big/ckpt.index').length).toBe(4);
    expect(reqs.length).toBe(9);

    const mark = srv.requests.length;
    const s = await cli('show', `${srv.url}/big/ckpt`, 'small/bias', '--json');
    expect(s.err).toBe('');
    expect(s.code).toBe(0);
    const dataReads = srv.requests.slice(mark).filter((q) => q.path.includes('.data-') && q.range !== 'bytes=0-0');
    expect(dataReads.map((q) => q.range)).toEqual([`bytes=${4 * GiB}-${4 * GiB + 4095}`]);
    expect(JSON.parse(s.out).stats.max).toBe(0);
  });
});

const categories = ['checkpoint', 'savedmodel', 'keras-h5', 'keras3', 'tfjs', 'npy'];
const cases = have ? categories.flatMap((c) => fixtureFolders(c)).flatMap((folder) => loadTruth(folder).map((entry) => ({ folder, entry }))) : [];
const urlOf = (folder: string, input: string) => (input === '.' ? `${srv.url}/${folder}` : `${srv.url}/${folder}/${input}`);
const localOf = (folder: string, input: string) => (input === '.' ? fixture(folder) : fixture(folder, input));

describe.skipIf(!have)('every fixture over HTTP: ls --json matches truth.json', () => {
  for (const { folder, entry } of cases) {
    it.skipIf(registry.get(entry.format)?.open === undefined)(`${folder} ${entry.input} (${entry.format})`, async () => {
      const r = await cli('ls', urlOf(folder, entry.input), '--json');
      if (entry.format === 'keras-h5' || entry.format === 'keras3') {
        expect(r.err === '' || /temporary copy/.test(r.err)).toBe(true);
      } else expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as { format: string; tensors: { key: string; dtype: string; shape: number[] }[] };
      expect(j.format).toBe(entry.format);
      const byKey = (a: { key: string }, b: { key: string }) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));
      expect(j.tensors.map((t) => ({ key: t.key, dtype: t.dtype, shape: t.shape })).sort(byKey))
        .toEqual(entry.tensors.map((t) => ({ key: t.key, dtype: t.dtype, shape: t.shape })).sort(byKey));
    });
  }
});

/** One input of each layout for show / diff / convert. */
const ONE_OF_EACH: [string, string][] = [
  ['checkpoint/tf2-keras-lso-2shards', '.'], // folder + state file + 2 shards
  ['checkpoint/tf1-simple', 'model-three-variables.ckpt'], // prefix
  ['savedmodel/half-plus-two-tf2', '.'], // saved_model.pb + variables/
  ['keras-h5/hls4ml-3layer-pair', 'keras_3layer.h5'], // HDF5 (temporary copy)
  ['keras3/student-adam', 'model.keras'], // zip over ranges
  ['tfjs/tensorspace-lenet-layers', 'model.json'], // model.json + shard
  ['npy/numpy-savez', 'py3-arr-savez.npz'],
  ['npy/npyjs', '10-float32.npy'],
];

describe.skipIf(!have)('show, diff and convert over HTTP', () => {
  for (const [folder, input] of ONE_OF_EACH) {
    it(`${folder} ${input}`, async () => {
      const url = urlOf(folder, input);
      const ls = JSON.parse((await cli('ls', url, '--json')).out) as { tensors: { key: string }[] };
      const first = ls.tensors[0]!.key;
      const local = JSON.parse((await cli('show', localOf(folder, input), first, '--json')).out);
      const remote = await cli('show', url, first, '--json');
      expect(remote.code).toBe(0);
      expect(JSON.parse(remote.out)).toEqual(local);
      const d = await cli('diff', url, localOf(folder, input), '--json');
      expect(d.code).toBe(0);
      expect(JSON.parse(d.out).different).toEqual([]);
      const out = join(tmp.path, `${folder.replace('/', '_')}.npz`);
      const c = await cli('convert', url, out, '--drop-optimizer');
      expect(c.code, c.err).toBe(0);
      const back = await cli('diff', out, localOf(folder, input), '--json');
      expect(JSON.parse(back.out).different).toEqual([]);
      expect(JSON.parse(back.out).compared).toBeGreaterThan(0);
    });
  }

  it('a safetensors file made here, over HTTP', async () => {
    const local = join(tmp.path, 'made.safetensors');
    expect((await cli('convert', fixture('keras-h5', 'hls4ml-3layer-pair', 'keras_3layer.h5'), local, '--drop-optimizer')).code).toBe(0);
    const s2 = await startHttpServer({ files: { '/m.safetensors': readFileSync(local) } });
    try {
      const d = await cli('diff', `${s2.url}/m.safetensors`, local, '--json');
      expect(d.code).toBe(0);
      expect(JSON.parse(d.out).compared).toBeGreaterThan(0);
    } finally {
      await s2.close();
    }
  });

  it('a missing URL is one clear line naming it', async () => {
    const r = await cli('ls', `${srv.url}/nope/model.h5`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^tfweights: ${srv.url}/nope/model.h5: `));
    expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses writing to https', async () => {
    const r = await cli('convert', fixture('npy', 'npyjs', '10-float32.npy'), `${srv.url}/out.npy`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write to http:\/\/ locations/);
  });
});
