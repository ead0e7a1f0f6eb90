// Remote locations as strings (joins, siblings, hf revisions, gs/hf → HTTPS), and hf:// read
// end to end from a local server standing in for the Hub (HF_ENDPOINT), with HF_TOKEN sent.
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendRemote, basenameRemote, bucketAndKey, dirnameRemote, headersFor, httpUrlOf, isRemoteLocation, joinRemote, parseHfLocation,
  InvalidArgumentError,
} from '../src/index.js';
import { openLocation, readLocation, requireWritable, statLocation } from '../src/node/index.js';
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
