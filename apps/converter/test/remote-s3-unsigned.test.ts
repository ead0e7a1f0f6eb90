/**
 * `--no-sign-request` proven, not assumed: the CLI runs in a child process with every AWS_*
 * variable blank and HOME an empty folder (no ~/.aws), against a real S3 server (s3rver) behind
 * a front that records each request's headers. Unsigned, `ls` works and no request carries an
 * Authorization header or a SigV4 X-Amz-* header; without the flag the same command fails with
 * the typed credentials error before sending anything; with credentials it signs. The library
 * option (`setRemoteOptions({ noSignRequest: true })`) is checked the same way in this process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { closeRemoteClients, openLocation, setRemoteOptions } from '@tfweights/core/node';
import { tempDir } from '@tfweights/testkit';
import { startS3Front, type FrontRequest, type S3Front } from './helpers/s3-front.js';
import { startTestS3, type TestS3 } from './helpers/s3-server.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const OBJECT = 's3://public/x.safetensors';
/** Headers SigV4 adds (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html). */
const SIGNING = /^(authorization|x-amz-date|x-amz-security-token|x-amz-content-sha256)$/i;
/** Query parameters of a presigned (query-signed) request. */
const QUERY_SIGNING = /[?&]X-Amz-(Signature|Credential|Algorithm)=/i;

let s3: TestS3;
let front: S3Front;
let tmp: { path: string; cleanup: () => void };
let home = '';

/** A safetensors file of one float32 [2, 2] tensor `w`, written by hand (header length, JSON, data). */
function tinySafetensors(): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }));
  const out = new Uint8Array(8 + header.byteLength + 16);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  out.set(header, 8);
  out.set(new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer), 8 + header.byteLength);
  return out;
}

/** The environment of a user with no AWS credentials anywhere. */
function noCredentials(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE',
    'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3']) env[k] = '';
  // The chain's last link asks EC2 instance metadata (169.254.169.254): no such host here, only a time-out.
  return { ...env, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

/** The CLI from the sources in a child process (asynchronously: s3rver and the front live in this one). */
function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/bin.ts', ...args], { cwd: appDir, env });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const signed = (r: FrontRequest) => Object.keys(r.headers).filter((h) => SIGNING.test(h));

beforeAll(async () => {
  tmp = tempDir('tfw-remote-unsigned-');
  home = join(tmp.path, 'home');
  mkdirSync(home);
  s3 = await startTestS3(join(tmp.path, 's3'), ['public']);
  await s3.client.send(new PutObjectCommand({ Bucket: 'public', Key: 'x.safetensors', Body: tinySafetensors() }));
  front = await startS3Front(s3.endpoint);
}, 60_000);
afterAll(async () => {
  closeRemoteClients();
  front?.kill();
  await s3?.close();
  tmp?.cleanup();
});

describe('--no-sign-request with no credentials anywhere', () => {
  it('ls succeeds and no request is signed', async () => {
    const mark = front.requests.length;
    const r = await cli(noCredentials(), 'ls', OBJECT, '--no-sign-request', '--endpoint', front.endpoint, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).tensors).toEqual([expect.objectContaining({ key: 'w', dtype: 'float32', shape: [2, 2] })]);
    const sent = front.requests.slice(mark);
    expect(sent.map((q) => q.method)).toContain('HEAD');
    expect(sent.map((q) => q.method)).toContain('GET');
    expect(sent.flatMap(signed)).toEqual([]);
    expect(sent.filter((q) => QUERY_SIGNING.test(q.url))).toEqual([]);
  }, 60_000);

  it('without the flag the same command fails with the credentials error, before any request', async () => {
    const mark = front.requests.length;
    const r = await cli(noCredentials(), 'ls', OBJECT, '--endpoint', front.endpoint, '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tfweights: s3:\/\/public\/x\.safetensors: HEAD: access denied \(check credentials, or pass --no-sign-request for a public bucket\)/);
    expect(r.err).toMatch(/Could not load credentials/);
    expect(front.requests.length).toBe(mark);
  }, 60_000);

  it('with credentials and no flag every request is signed (SigV4)', async () => {
    const mark = front.requests.length;
    const r = await cli(noCredentials({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }), 'ls', OBJECT, '--endpoint', front.endpoint, '--json');
    expect(r.code, r.err).toBe(0);
    const sent = front.requests.slice(mark);
    expect(sent.length).toBeGreaterThan(0);
    for (const q of sent) {
      expect(q.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=S3RVER\//);
      expect(q.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    }
  }, 60_000);
});

describe('the library option noSignRequest', () => {
  it('reads the object unsigned with no credentials in this process', async () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' });
    closeRemoteClients();
    setRemoteOptions({ endpoint: front.endpoint, noSignRequest: true });
    const mark = front.requests.length;
    try {
      const src = await openLocation(OBJECT);
      const bytes = await src.read(src.size - 16, 16);
      expect(Array.from(new Float32Array(bytes.slice().buffer))).toEqual([1, 2, 3, 4]);
      await src.close?.();
      const sent = front.requests.slice(mark);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.flatMap(signed)).toEqual([]);
    } finally {
      setRemoteOptions({});
      closeRemoteClients();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
