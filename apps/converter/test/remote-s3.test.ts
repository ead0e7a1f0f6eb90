/**
 * s3:// through the official AWS SDK against a real S3-compatible server on 127.0.0.1
 * (s3rver): every fixture format listed, shown, diffed and converted from a bucket; outputs
 * written into a bucket by multipart upload (safetensors, checkpoint shards + .index, tfjs,
 * npz, Keras .h5 staged locally) and read back; a server killed mid-upload leaves no object.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { closeRemoteClients } from '@tfweights/core/node';
import { fixture, fixtureFolders, fixturesRoot, haveFixtures, loadTruth, seededRandom, tempDir } from '@tfweights/testkit';
import { defaultRegistry } from 'tfweights';
import { memoryIo } from '../src/io.js';
import { main } from '../src/main.js';
import { startS3Front } from './helpers/s3-front.js';
import { startTestS3, type TestS3 } from './helpers/s3-server.js';

const registry = defaultRegistry();
const have = haveFixtures();

let s3: TestS3;
let endpoint = '';
let client: S3Client;
let tmp: { path: string; cleanup: () => void };

async function cli(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io, { registry });
  return { code, out: io.stdout(), err: io.stderr() };
}
const s3cli = (...argv: string[]) => cli(...argv, '--endpoint', endpoint);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

beforeAll(async () => {
  tmp = tempDir('tfw-remote-s3-');
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  s3 = await startTestS3(join(tmp.path, 's3'), ['fixtures', 'out']);
  ({ endpoint, client } = s3);
  if (fixturesRoot) {
    for (const f of filesUnder(fixturesRoot)) {
      const key = relative(fixturesRoot, f).split('\\').join('/');
      await client.send(new PutObjectCommand({ Bucket: 'fixtures', Key: key, Body: readFileSync(f) }));
    }
  }
}, 120_000);
afterAll(async () => {
  closeRemoteClients();
  await s3?.close();
  tmp?.cleanup();
});

const categories = ['checkpoint', 'savedmodel', 'keras-h5', 'keras3', 'tfjs', 'npy'];
const cases = have ? categories.flatMap((c) => fixtureFolders(c)).flatMap((folder) => loadTruth(folder).map((entry) => ({ folder, entry }))) : [];
const s3Of = (folder: string, input: string) => (input === '.' ? `s3://fixtures/${folder}` : `s3://fixtures/${folder}/${input}`);
const localOf = (folder: string, input: string) => (input === '.' ? fixture(folder) : fixture(folder, input));

describe.skipIf(!have)('every fixture in a bucket: ls --json matches truth.json', () => {
  for (const { folder, entry } of cases) {
    it.skipIf(registry.get(entry.format)?.open === undefined)(`${folder} ${entry.input} (${entry.format})`, async () => {
      const r = await s3cli('ls', s3Of(folder, entry.input), '--json');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out) as { format: string; tensors: { key: string; dtype: string; shape: number[] }[] };
      expect(j.format).toBe(entry.format);
      const byKey = (a: { key: string }, b: { key: string }) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));
      expect(j.tensors.map((t) => ({ key: t.key, dtype: t.dtype, shape: t.shape })).sort(byKey))
        .toEqual(entry.tensors.map((t) => ({ key: t.key, dtype: t.dtype, shape: t.shape })).sort(byKey));
    });
  }
});

/** Input, output in the bucket, and the output's key(s) that must exist afterwards. */
const CONVERSIONS: [string, string, string, string[]][] = [
  ['checkpoint/tf2-keras-lso-2shards', '.', 'ckpt2.safetensors', ['ckpt2.safetensors']],
  ['keras-h5/hls4ml-3layer-pair', 'keras_3layer.h5', 'ck/model', ['ck/model.data-00000-of-00001', 'ck/model.index']],
  ['savedmodel/half-plus-two-tf2', '.', 'hp.npz', ['hp.npz']],
  ['tfjs/tensorspace-lenet-layers', 'model.json', 'lenet.h5', ['lenet.h5']],
  ['keras3/student-adam', 'model.keras', 'student/model.json', ['student/group1-shard1of1.bin', 'student/model.json']],
  ['npy/numpy-savez', 'py3-arr-savez.npz', 'npyf/', ['npyf/foo.npy', 'npyf/index.json']],
];

describe.skipIf(!have)('show, diff and convert from a bucket into a bucket', () => {
  for (const [folder, input, out, written] of CONVERSIONS) {
    it(`${folder} ${input} → s3://out/${out}`, async () => {
      const src = s3Of(folder, input);
      const first = (JSON.parse((await s3cli('ls', src, '--json')).out) as { tensors: { key: string }[] }).tensors[0]!.key;
      const shown = await s3cli('show', src, first, '--json');
      expect(shown.code, shown.err).toBe(0);
      expect(JSON.parse(shown.out)).toEqual(JSON.parse((await cli('show', localOf(folder, input), first, '--json')).out));
      const to = out.endsWith('model') ? ['--to', 'checkpoint'] : out.endsWith('/') ? ['--to', 'npy'] : [];
      const c = await s3cli('convert', src, `s3://out/${out}`, '--drop-optimizer', ...to);
      expect(c.code, c.err).toBe(0);
      const prefix = out.includes('/') ? out.slice(0, out.indexOf('/') + 1) : out;
      expect(await keys('out', prefix)).toEqual(expect.arrayContaining(written));
      const d = await s3cli('diff', `s3://out/${out}`, localOf(folder, input), '--json');
      expect(d.code, d.out).toBe(0);
      expect(JSON.parse(d.out).compared).toBeGreaterThan(0);
      // Refuses to replace what exists, unless --force.
      const again = await s3cli('convert', src, `s3://out/${out}`, '--drop-optimizer', ...to);
      expect(again.code).toBe(2);
      expect(again.err).toMatch(/already exists/);
    });
  }

  it('a missing object is one line naming it', async () => {
    const r = await s3cli('ls', 's3://fixtures/nope/model.safetensors');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tfweights: s3:\/\/fixtures\/nope\/model.safetensors: /);
  });
});

describe('a multipart upload interrupted by the server dying', () => {
  it('leaves no object (the upload is completed only at the end)', async () => {
    // 40 MiB of float32 in a safetensors file: five 8 MiB parts.
    const local = join(tmp.path, 'big.npy');
    const rand = seededRandom(7);
    const n = 10 * 1024 * 1024;
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n},), }`;
    const pad = 64 - ((10 + header.length + 1) % 64);
    const h = Buffer.from(`\x93NUMPY\x01\x00${String.fromCharCode((header.length + pad + 1) & 0xff, (header.length + pad + 1) >> 8)}${header}${' '.repeat(pad)}\n`, 'latin1');
    const data = new Float32Array(n);
    for (let i = 0; i < n; i += 997) data[i] = rand();
    writeFileSync(local, Buffer.concat([h, Buffer.from(data.buffer)]));
    expect(statSync(local).size).toBeGreaterThan(40 * 1024 * 1024);
    let parts = 0;
    const proxy = await startS3Front(endpoint, ({ method, url }) => {
      if (method === 'PUT' && /partNumber=/.test(url) && ++parts === 2) proxy.kill();
    });
    const r = await cli('convert', local, 's3://out/killed.safetensors', '--endpoint', proxy.endpoint, '--timeout', '2');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/s3:\/\/out\/killed\.safetensors/);
    expect(await keys('out', 'killed')).toEqual([]);
    // Same conversion against the live server: the object appears whole.
    const ok = await s3cli('convert', local, 's3://out/alive.safetensors');
    expect(ok.code, ok.err).toBe(0);
    expect(await keys('out', 'alive')).toEqual(['alive.safetensors']);
    const d = await s3cli('diff', 's3://out/alive.safetensors', local, '--json');
    expect(JSON.parse(d.out).different).toEqual([]);
  });
});
