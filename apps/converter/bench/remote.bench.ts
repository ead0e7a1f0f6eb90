/**
 * Remote benchmark: a TFW_BENCH_REMOTE_GIB (default 1.25) GiB TF checkpoint whose largest
 * tensor is TFW_BENCH_REMOTE_BIG_MIB (default 512) MiB sits in a real S3-compatible server
 * (s3rver, its own process, on 127.0.0.1) and the real CLI converts it S3 → S3:
 * 1. to .safetensors and to a checkpoint (multipart uploads). Target: peak RSS of the CLI
 *    ≤ 256 MiB, the local bound. Each output is read back from the bucket with our readers
 *    and the SHA-256 of every tensor compared with the generated source's.
 * 2. the same conversion with the server SIGKILLed once some parts are stored: the CLI fails
 *    with an error naming the output, and the restarted server (same storage) holds no object.
 * Run: pnpm --filter @tfweights/converter bench (TFW_BENCH_DIR picks the scratch folder).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CHUNK_BYTES, type ChunkedTensor } from '@tfweights/core';
import { closeRemoteClients, setRemoteOptions } from '@tfweights/core/node';
import { defaultRegistry } from 'tfweights';
import { generate, generatedTensors } from './generated-checkpoint.js';
import { appDir, CLI, failure, GiB, MiB, mib, rate, RSS_LIMIT, timed, timedAsync } from './measure.js';

const TOTAL_GIB = Number(process.env.TFW_BENCH_REMOTE_GIB ?? 1.25);
const BIG_MIB = Number(process.env.TFW_BENCH_REMOTE_BIG_MIB ?? 512);
const work = mkdtempSync(join(process.env.TFW_BENCH_DIR ?? tmpdir(), 'tfw-remote-bench-'));
const storage = join(work, 's3');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
// The CLI children and this process's own readers sign with s3rver's default key.
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
const env = process.env;

/** Start s3rver on `storage` in a child process; resolves once it listens. */
function startS3(buckets: string[]): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(appDir, 'bench/s3rver-process.ts'), storage, ...buckets], { cwd: appDir, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ child, endpoint: `http://127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const clientFor = (endpoint: string) => new S3Client({
  endpoint, region: 'us-east-1', forcePathStyle: true, credentials,
  // s3rver stores aws-chunked bodies verbatim: send plain bodies (checksums only where S3 requires them).
  requestChecksumCalculation: 'WHEN_REQUIRED',
});

async function keys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

/** SHA-256 of a tensor's bytes, chunk by chunk. */
async function sha256Of(t: ChunkedTensor): Promise<string> {
  const h = createHash('sha256');
  for await (const c of t.chunks()) h.update(c);
  return h.digest('hex');
}

/** Multipart-upload part files s3rver holds for `bucket` (stored before the upload completes). */
function storedParts(bucket: string): number {
  const dir = join(storage, bucket);
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => /_S3rver_uploads[/\\][^/\\]+[/\\]\d+$/.test(p)).length;
}

let ok = true;
const say = (line: string) => console.log(line);
let server: ChildProcess | undefined;
try {
  say(`CLI: node ${CLI.join(' ')}; scratch ${work}; s3rver in its own process on 127.0.0.1; this machine is shared (2 cores, other jobs running): figures are noisy`);
  const big = Math.round(BIG_MIB * MiB / CHUNK_BYTES) * CHUNK_BYTES;
  const small = Math.min(256 * MiB, big);
  const sizes = [big, ...Array.from({ length: Math.ceil(Math.max(0, TOTAL_GIB * GiB - big) / small) }, () => small)];
  const prefix = join(work, 'src', 'ckpt');
  await generate(prefix, sizes);
  const files = readdirSync(join(work, 'src'));
  const total = files.reduce((s, f) => s + statSync(join(work, 'src', f)).size, 0);
  const source = new Map<string, string>();
  for (const t of generatedTensors(sizes)) source.set(t.key, await sha256Of(t));

  const s3 = await startS3(['in', 'out']);
  server = s3.child;
  let client = clientFor(s3.endpoint);
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    await client.send(new PutObjectCommand({ Bucket: 'in', Key: `run/${f}`, Body: createReadStream(join(work, 'src', f)), ContentLength: statSync(join(work, 'src', f)).size }));
  }
  say(`uploaded a ${(total / GiB).toFixed(2)} GiB checkpoint (${sizes.length} float32 tensors, largest ${mib(big)}) to s3://in/run/ckpt in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
  setRemoteOptions({ endpoint: s3.endpoint });
  const registry = defaultRegistry();

  // 1. S3 → S3, then every tensor read back from the bucket and hashed.
  for (const [label, out, to] of [['S3 → S3 .safetensors', 'st/model.safetensors', 'safetensors'], ['S3 → S3 checkpoint', 'ck/model', 'checkpoint']] as const) {
    const r = timed([process.execPath, ...CLI, 'convert', 's3://in/run/ckpt', `s3://out/${out}`, '--to', to, '--endpoint', s3.endpoint, '-q'], env);
    if (r.status !== 0) {
      say(`${label.padEnd(22)} FAILED: ${failure(r)}`);
      ok = false;
      continue;
    }
    const reader = await registry.open(`s3://out/${out}`);
    const mismatched: string[] = [];
    try {
      for (const info of reader.list()) {
        if (source.get(info.key) !== (await sha256Of(await reader.readChunked!(info.key)))) mismatched.push(info.key);
      }
      if (reader.list().length !== source.size) mismatched.push(`(${reader.list().length} tensors, expected ${source.size})`);
    } finally {
      await reader.close();
    }
    const rssOk = r.rss <= RSS_LIMIT;
    ok &&= rssOk && mismatched.length === 0;
    say(`${label.padEnd(22)} ${rate(total, r.seconds)}  peak RSS ${mib(r.rss)} (≤ 256 MiB: ${rssOk ? 'met' : 'MISSED'})  read back: ${mismatched.length === 0 ? `all ${source.size} tensors' SHA-256 match` : `MISMATCH ${mismatched.join(', ')}`}`);
    for (const k of await keys(client, 'out', out.split('/')[0]!)) await client.send(new DeleteObjectCommand({ Bucket: 'out', Key: k }));
  }

  // 2. The server killed mid-upload: no object, before or after it comes back.
  closeRemoteClients();
  const before = storedParts('out');
  const run = timedAsync([process.execPath, ...CLI, 'convert', 's3://in/run/ckpt', 's3://out/killed/model.safetensors', '--endpoint', s3.endpoint, '--timeout', '5', '-q'], env);
  let exited = false;
  void run.then(() => (exited = true));
  let parts = 0;
  while (!exited && (parts = storedParts('out') - before) < 8) await new Promise((r) => setTimeout(r, 100));
  const midUpload = !exited;
  await killed(s3.child);
  const r = await run;
  const again = await startS3([]);
  server = again.child;
  client.destroy();
  client = clientFor(again.endpoint);
  const left = await keys(client, 'out', 'killed/');
  const killOk = midUpload && r.status === 2 && /s3:\/\/out\/killed\/model\.safetensors/.test(r.stderr) && left.length === 0;
  ok &&= killOk;
  say(`S3 → S3 with the server SIGKILLed ${!midUpload ? 'too late (the CLI had exited) ' : ''}after ${parts} stored parts (${mib(parts * 8 * MiB)}): CLI exit ${r.status} after ${r.seconds.toFixed(1)} s ("${failure(r).slice(0, 160)}"), peak RSS ${mib(r.rss)}; objects under s3://out/killed/ after restart: ${left.length === 0 ? 'none' : left.join(', ')} (${killOk ? 'met' : 'MISSED'})`);
  client.destroy();
  if (!ok) process.exitCode = 1;
} finally {
  closeRemoteClients();
  if (server) await killed(server);
  rmSync(work, { recursive: true, force: true });
}
