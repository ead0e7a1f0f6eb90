// Remote locations as strings (joins, siblings, hf revisions, gs/hf → HTTPS), and hf:// read
// end to end from a local server standing in for the Hub (HF_ENDPOINT), with HF_TOKEN sent.
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendRemote, basenameRemote, bucketAndKey, dirnameRemote, headersFor, httpUrlOf, isRemoteLocation, joinRemote, parseHfLocation,
  withBasenameRemote, InvalidArgumentError,
} from '../src/index.js';
import { openLocation, readLocation, requireWritable, statLocation, withBasenameLocation } from '../src/node/index.js';
import { startHttpServer } from '../../testkit/src/http-servers.js';

describe('remote locations', () => {
  it('joins siblings and children on the path, keeping an hf revision last', () => {
    expect(joinRemote('https://h.example/a/model.json', '..', 'group1-shard1of1.bin')).toBe('https://h.example/a/group1-shard1of1.bin');
    expect(joinRemote('s3://b/run7', 'variables/variables.index')).toBe('s3://b/run7/variables/variables.index');
    expect(dirnameRemote('s3://b/run7/ckpt-1.index')).toBe('s3://b/run7');
    expect(basenameRemote('hf://o/r/dir/model.json@v2')).toBe('model.json');
    expect(dirnameRemote('hf://o/r/dir/model.json@v2')).toBe('hf://o/r/dir@v2');
    expect(joinRemote('hf://o/r/dir@v2', 'shard.bin')).toBe('hf://o/r/dir/shard.bin@v2');
    expect(appendRemote('hf://o/r/ckpt@v2', '.index')).toBe('hf://o/r/ckpt.index@v2');
    expect(appendRemote('https://h/x/ckpt', '.data-00000-of-00001')).toBe('https://h/x/ckpt.data-00000-of-00001');
    expect(() => joinRemote('s3://b/k', '../../etc/passwd')).toThrow(InvalidArgumentError);
    expect(() => joinRemote('https://h/a/m.json', 'https://evil/x')).toThrow(/relative/);
    expect(isRemoteLocation('gs://b/k')).toBe(true);
    expect(isRemoteLocation('/tmp/s3:/x')).toBe(false);
    expect(bucketAndKey('s3://bucket/a/b.bin')).toEqual({ bucket: 'bucket', key: 'a/b.bin' });
  });

  it('maps gs:// and hf:// to the HTTPS URLs their services answer on', () => {
    expect(httpUrlOf('gs://my-bucket/run 1/ckpt.index')).toBe('https://storage.googleapis.com/my-bucket/run%201/ckpt.index');
    expect(parseHfLocation('hf://google/bert/tf_model.h5')).toEqual({ owner: 'google', repo: 'bert', path: 'tf_model.h5', revision: 'main' });
    expect(httpUrlOf('hf://google/bert/sub/tf_model.h5@v1.0')).toBe('https://huggingface.co/google/bert/resolve/v1.0/sub/tf_model.h5');
    expect(() => requireWritable('gs://b/out.safetensors')).toThrow(/S3 interoperability/);
    expect(() => requireWritable('hf://o/r/x.safetensors')).toThrow(/cannot write to hf:\/\//);
  });
});

describe('hf:// revisions on every path form', () => {
  const hub = 'https://huggingface.co';
  it('reads a trailing @rev on any file name, folder or checkpoint prefix', () => {
    expect(parseHfLocation('hf://o/r/run/model.ckpt.index@v2')).toEqual({ owner: 'o', repo: 'r', path: 'run/model.ckpt.index', revision: 'v2' });
    expect(httpUrlOf('hf://o/r/run/model.ckpt.index@v2')).toBe(`${hub}/o/r/resolve/v2/run/model.ckpt.index`);
    expect(httpUrlOf('hf://o/r/run/model.ckpt@v2')).toBe(`${hub}/o/r/resolve/v2/run/model.ckpt`);
    expect(httpUrlOf('hf://o/r/run/model.ckpt.data-00000-of-00001@0123abc')).toBe(`${hub}/o/r/resolve/0123abc/run/model.ckpt.data-00000-of-00001`);
    expect(httpUrlOf('hf://o/r/run@v2')).toBe(`${hub}/o/r/resolve/v2/run`);
    expect(httpUrlOf('hf://o/r/run/@v2')).toBe(`${hub}/o/r/resolve/v2/run`);
    expect(httpUrlOf('hf://o/r/model.safetensors')).toBe(`${hub}/o/r/resolve/main/model.safetensors`);
  });

  it('reads @rev after the repository (HfFileSystem form), where file names may hold @', () => {
    expect(httpUrlOf('hf://o/r@v2/run/model.ckpt.index')).toBe(`${hub}/o/r/resolve/v2/run/model.ckpt.index`);
    expect(parseHfLocation('hf://o/r@main/dir/a@b.bin')).toEqual({ owner: 'o', repo: 'r', path: 'dir/a@b.bin', revision: 'main' });
    expect(httpUrlOf('hf://o/r@main/dir/a@b.bin')).toBe(`${hub}/o/r/resolve/main/dir/a%40b.bin`);
    // Without a revision after the repository, an @ in the last segment starts one (documented).
    expect(parseHfLocation('hf://o/r/dir/a@b.bin').revision).toBe('b.bin');
    // An @ in a folder name is part of the path.
    expect(parseHfLocation('hf://o/r/v@1/w.npz')).toMatchObject({ path: 'v@1/w.npz', revision: 'main' });
  });

  it('keeps the revision where it was written on siblings, children and renamed files', () => {
    expect(appendRemote('hf://o/r@v2/run/ckpt', '.index')).toBe('hf://o/r@v2/run/ckpt.index');
    expect(joinRemote('hf://o/r@v2', 'run', 'checkpoint')).toBe('hf://o/r@v2/run/checkpoint');
    expect(dirnameRemote('hf://o/r@v2/run/model.json')).toBe('hf://o/r@v2/run');
    expect(basenameRemote('hf://o/r@v2/run/model.json')).toBe('model.json');
    expect(withBasenameRemote('hf://o/r/run/ckpt.index@v2', 'ckpt')).toBe('hf://o/r/run/ckpt@v2');
    expect(withBasenameRemote('hf://o/r@v2/run/ckpt.index', 'ckpt')).toBe('hf://o/r@v2/run/ckpt');
    expect(withBasenameRemote('https://h/x/ckpt.index?X-Sig=1', 'ckpt')).toBe('https://h/x/ckpt?X-Sig=1');
    expect(withBasenameLocation('/a/b/ckpt.index', 'ckpt')).toBe('/a/b/ckpt');
    expect(withBasenameLocation('ckpt.index', 'ckpt')).toBe('ckpt');
    expect(() => withBasenameRemote('hf://o/r@v2', 'x')).toThrow(InvalidArgumentError);
    expect(() => joinRemote('hf://o/r@v2/a', '../../x')).toThrow(/leaves/);
  });

  it('decodes %-escaped revisions (refs/pr/1) and quotes them whole in the URL, as hf_hub_url does', () => {
    expect(parseHfLocation('hf://o/r/x.safetensors@refs%2Fpr%2F1').revision).toBe('refs/pr/1');
    expect(httpUrlOf('hf://o/r/x.safetensors@refs%2Fpr%2F1')).toBe(`${hub}/o/r/resolve/refs%2Fpr%2F1/x.safetensors`);
    expect(httpUrlOf('hf://o/r@refs%2Fpr%2F1/x.safetensors')).toBe(`${hub}/o/r/resolve/refs%2Fpr%2F1/x.safetensors`);
    expect(() => parseHfLocation('hf://o/r/x.bin@%zz')).toThrow(/%-escape/);
    expect(() => parseHfLocation('hf://o/r@/x.bin')).toThrow(InvalidArgumentError);
    expect(() => parseHfLocation('hf://o')).toThrow(InvalidArgumentError);
  });

  it('maps datasets/ and spaces/ repositories to their URLs', () => {
    expect(parseHfLocation('hf://datasets/o/r/w.npz@v1')).toEqual({ kind: 'datasets', owner: 'o', repo: 'r', path: 'w.npz', revision: 'v1' });
    expect(httpUrlOf('hf://datasets/o/r/w.npz@v1')).toBe(`${hub}/datasets/o/r/resolve/v1/w.npz`);
    expect(httpUrlOf('hf://spaces/o/r@v1/m/model.json')).toBe(`${hub}/spaces/o/r/resolve/v1/m/model.json`);
    expect(dirnameRemote('hf://datasets/o/r/a/w.npz@v1')).toBe('hf://datasets/o/r/a@v1');
    expect(() => parseHfLocation('hf://datasets/o')).toThrow(InvalidArgumentError);
  });
});

describe('hf:// end to end (a local server as the Hub)', () => {
  const saved = { endpoint: process.env.HF_ENDPOINT, token: process.env.HF_TOKEN };
  afterAll(() => {
    if (saved.endpoint === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = saved.endpoint;
    if (saved.token === undefined) delete process.env.HF_TOKEN;
    else process.env.HF_TOKEN = saved.token;
  });

  it('reads /<owner>/<repo>/resolve/<rev>/<path> with the bearer token, siblings at the same revision', async () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const srv = await startHttpServer({ files: { '/acme/net/resolve/v2/w/a.bin': bytes, '/acme/net/resolve/v2/w/model.json': new TextEncoder().encode('{}') } });
    try {
      process.env.HF_ENDPOINT = srv.url;
      process.env.HF_TOKEN = 'hf_test_token';
      expect(headersFor('hf://acme/net/w/a.bin')).toEqual({ Authorization: 'Bearer hf_test_token' });
      const src = await openLocation('hf://acme/net/w/a.bin@v2');
      expect(src.name).toBe('hf://acme/net/w/a.bin@v2');
      expect(Array.from(await src.read(4000, 3))).toEqual([4000 & 0xff, 4001 & 0xff, 4002 & 0xff]);
      expect(new TextDecoder().decode(await readLocation(joinRemote(dirnameRemote('hf://acme/net/w/a.bin@v2'), 'model.json')))).toBe('{}');
      expect(srv.requests.every((r) => r.authorization === 'Bearer hf_test_token')).toBe(true);
      expect((await statLocation('hf://acme/net/w/missing.bin@v2')).kind).toBe('missing');
    } finally {
      await srv.close();
    }
  });
});
