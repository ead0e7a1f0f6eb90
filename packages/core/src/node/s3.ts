/**
 * `s3://bucket/key` through the official AWS SDK (`@aws-sdk/client-s3`, an optional
 * dependency loaded only when an s3:// location is used): the standard credential chain,
 * any S3-compatible endpoint, unsigned requests for public buckets. Reads are ranged
 * GetObject calls, bounded in flight and checked like HTTP answers; writes are multipart
 * uploads completed only by finish() and aborted on error, so no partial object appears.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { checkRange, type ByteSource } from '../byte-source.js';
import type { ByteSink } from '../byte-sink.js';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_CONCURRENCY, limiterFor } from '../remote/limiter.js';
import { bucketAndKey } from '../remote/location-url.js';
import { parseContentRange } from '../remote/http-range.js';
import { RemoteError } from '../remote/remote-error.js';
import { remoteOptions } from './remote-options.js';

type Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<Sdk> | undefined;
const clients = new Map<string, S3Client>();

/** The SDK module, imported on first use; a clear error when it is not installed. */
async function loadSdk(loc: string): Promise<Sdk> {
  sdk ??= import('@aws-sdk/client-s3').catch((cause: unknown) => {
    sdk = undefined;
    throw new InvalidArgumentError('reading s3:// needs the optional package @aws-sdk/client-s3 (npm install @aws-sdk/client-s3)', { file: loc, cause });
  });
  return sdk;
}

/** One client per endpoint/region/signing choice. */
async function s3Client(loc: string): Promise<{ client: S3Client; sdk: Sdk }> {
  const mod = await loadSdk(loc);
  const o = remoteOptions();
  const endpoint = o.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const region = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const key = `${endpoint ?? ''}|${region}|${o.noSignRequest ? 'unsigned' : 'signed'}|${o.forcePathStyle ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    // The SDK warns on every process about Node 20's support window; the CLI's stderr is for the user's files.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    client = new mod.S3Client({
      region,
      ...(endpoint ? { endpoint, forcePathStyle: o.forcePathStyle ?? true } : o.forcePathStyle !== undefined ? { forcePathStyle: o.forcePathStyle } : {}),
      // Unsigned: placeholder credentials (so no provider chain is consulted), signature removed below.
      ...(o.noSignRequest ? { credentials: { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' } } : {}),
      requestHandler: { requestTimeout: o.http?.timeoutMs ?? 30_000, connectionTimeout: 10_000 },
      maxAttempts: 1 + (o.http?.retries ?? 4),
    });
    if (o.noSignRequest) unsign(client);
    clients.set(key, client);
  }
  return { client, sdk: mod };
}

/** Strip the signature after the SDK's signing step: requests go out anonymous, as `aws --no-sign-request` sends them. */
function unsign(client: S3Client): void {
  type Next = (args: { request: unknown }) => Promise<unknown>;
  const strip = (next: Next) => async (args: { request: unknown }) => {
    const headers = (args.request as { headers?: Record<string, string> }).headers;
    if (headers) for (const h of Object.keys(headers)) if (/^(authorization|x-amz-date|x-amz-security-token|x-amz-content-sha256)$/i.test(h)) delete headers[h];
    return next(args);
  };
  client.middlewareStack.addRelativeTo(strip as never, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tfweightsUnsigned' });
}

/** Destroy the cached S3 clients (their keep-alive sockets), e.g. before a test server stops. */
export function closeRemoteClients(): void {
  for (const c of clients.values()) c.destroy();
  clients.clear();
}

/** An SDK failure as a RemoteError naming the location. */
export function s3Error(err: unknown, loc: string, what: string, offset?: number): RemoteError {
  if (err instanceof RemoteError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.name ?? 'Error';
  const found = `${status !== undefined ? `HTTP ${status}, ` : ''}${code}${e.message && e.message !== code ? `: ${e.message.split('\n')[0]!.slice(0, 200)}` : ''}`;
  const details = { file: loc, ...(offset !== undefined ? { offset } : {}), ...(status !== undefined ? { status } : {}), found, cause: err };
  if (status === 404 || code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket') return new RemoteError('not-found', `${what}: no such object`, details);
  if (status === 401 || status === 403 || code === 'AccessDenied' || /credential/i.test(code + (e.message ?? ''))) {
    return new RemoteError('access-denied', `${what}: access denied (check credentials, or pass --no-sign-request for a public bucket)`, details);
  }
  if (/Timeout|TimedOut/i.test(code)) return new RemoteError('timeout', `${what}: time-out`, details);
  if (status !== undefined && status >= 500) return new RemoteError('server-error', `${what}: server error`, details);
  return new RemoteError(status === undefined ? 'network' : 'status', `${what} failed`, details);
}

/** Size of an object, or undefined when there is none. */
export async function s3Size(loc: string): Promise<number | undefined> {
  const { client, sdk: m } = await s3Client(loc);
  const { bucket, key } = bucketAndKey(loc);
  if (key === '' || key.endsWith('/')) return undefined;
  try {
    const head = await client.send(new m.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  } catch (err) {
    const e = s3Error(err, loc, 'HEAD');
    if (e.reason === 'not-found') return undefined;
    throw e;
  }
}

/** Names directly under `loc/` (files, and folders with a trailing `/` removed), or [] when none. */
export async function s3List(loc: string): Promise<string[]> {
  const { client, sdk: m } = await s3Client(loc);
  const { bucket, key } = bucketAndKey(loc);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  const names = new Set<string>();
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new m.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }));
    } catch (err) {
      throw s3Error(err, loc, 'list');
    }
    for (const o of page.Contents ?? []) if (o.Key && o.Key !== prefix) names.add(o.Key.slice(prefix.length));
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) names.add(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return [...names].sort();
}

/** A ByteSource over one S3 object: each read one ranged GetObject. */
export class S3Source implements ByteSource {
  private closed = false;
  private constructor(readonly name: string, readonly size: number) {}

  static async open(loc: string): Promise<S3Source> {
    const size = await s3Size(loc);
    if (size === undefined) throw new RemoteError('not-found', 'no such object', { file: loc });
    return new S3Source(loc, size);
  }

  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (this.closed) throw new RemoteError('status', 'read after close', { file: this.name, offset });
    if (length === 0) return new Uint8Array(0);
    const { bucket, key } = bucketAndKey(this.name);
    const limiter = limiterFor(`s3://${bucket}`, remoteOptions().http?.concurrency ?? DEFAULT_CONCURRENCY);
    return limiter.run(async () => {
      const { client, sdk: m } = await s3Client(this.name);
      let res;
      try {
        res = await client.send(new m.GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
      } catch (err) {
        throw s3Error(err, this.name, 'ranged GetObject', offset);
      }
      const body = res.Body as AsyncIterable<Uint8Array> & { destroy?: () => void } | undefined;
      const cr = parseContentRange(res.ContentRange ?? null);
      const exact = cr && cr.start === offset && cr.end === offset + length - 1;
      const whole = !cr && offset === 0 && length === this.size;
      if (!body || (!exact && !whole)) {
        body?.destroy?.();
        throw new RemoteError('range-mismatch', 'store answered a different byte range than asked', {
          file: this.name, offset, expected: `bytes ${offset}-${offset + length - 1}/${this.size}`, found: res.ContentRange ?? '(no Content-Range)',
        });
      }
      return readExactly(body, length, this.name, offset);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Exactly `length` bytes of a Node stream; more or fewer is an error, the stream is closed early. */
async function readExactly(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, length: number, name: string, offset: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  const onBytes = remoteOptions().onBytes;
  try {
    for await (const chunk of body) {
      onBytes?.(chunk.byteLength, 'down');
      if (got + chunk.byteLength > length) {
        throw new RemoteError('too-many-bytes', 'store sent more bytes than asked', { file: name, offset, expected: `${length} bytes`, found: `at least ${got + chunk.byteLength}` });
      }
      out.set(chunk, got);
      got += chunk.byteLength;
    }
  } catch (err) {
    throw err instanceof RemoteError ? err : new RemoteError('network', `connection failed: ${(err as Error).message}`, { file: name, offset, retryable: true, cause: err });
  } finally {
    body.destroy?.();
  }
  if (got !== length) throw new RemoteError('short-body', 'connection ended before the asked bytes arrived', { file: name, offset, expected: `${length} bytes`, found: `${got}` });
  return out;
}

/**
 * A ByteSink into one S3 object by multipart upload: parts of `partSize` bytes are sent as
 * they fill (one part buffered), the upload is completed only by finish() and aborted by
 * abort() or any error, so the object appears whole or not at all. A small object (one part)
 * is sent with a single PutObject at finish().
 */
export class S3UploadSink implements ByteSink {
  position = 0;
  private buffer: Uint8Array;
  private filled = 0;
  private uploadId: string | undefined;
  private readonly parts: { ETag: string; PartNumber: number }[] = [];
  private done = false;

  private constructor(readonly name: string, private readonly partSize: number) {
    this.buffer = new Uint8Array(partSize);
  }

  /** A sink for `loc`; refuses an existing object unless `overwrite`. */
  static async create(loc: string, opts: { overwrite?: boolean } = {}): Promise<S3UploadSink> {
    const { key } = bucketAndKey(loc);
    if (key === '' || key.endsWith('/')) throw new InvalidArgumentError('an S3 output needs an object key, not a bucket or folder', { file: loc });
    if (!opts.overwrite && (await s3Size(loc)) !== undefined) {
      throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: loc });
    }
    return new S3UploadSink(loc, Math.max(5 * 1024 * 1024, remoteOptions().partSize ?? 8 * 1024 * 1024));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.done) throw new RemoteError('status', 'write after finish/abort', { file: this.name });
    let at = 0;
    while (at < bytes.byteLength) {
      const take = Math.min(bytes.byteLength - at, this.partSize - this.filled);
      this.buffer.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.partSize) await this.flushPart();
    }
    this.position += bytes.byteLength;
  }

  private async flushPart(): Promise<void> {
    const { client, sdk: m } = await s3Client(this.name);
    const { bucket, key } = bucketAndKey(this.name);
    try {
      if (!this.uploadId) {
        const created = await client.send(new m.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
        if (!created.UploadId) throw new RemoteError('status', 'store returned no upload id', { file: this.name });
        this.uploadId = created.UploadId;
      }
      const PartNumber = this.parts.length + 1;
      const body = this.buffer.subarray(0, this.filled);
      const part = await client.send(new m.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId, PartNumber, Body: body, ContentLength: body.byteLength }));
      this.parts.push({ ETag: part.ETag ?? '', PartNumber });
      remoteOptions().onBytes?.(body.byteLength, 'up');
      this.filled = 0;
    } catch (err) {
      await this.abort();
      throw s3Error(err, this.name, 'upload');
    }
  }

  async finish(): Promise<void> {
    if (this.done) throw new RemoteError('status', 'finish after finish/abort', { file: this.name });
    const { client, sdk: m } = await s3Client(this.name);
    const { bucket, key } = bucketAndKey(this.name);
    try {
      if (!this.uploadId) {
        const body = this.buffer.subarray(0, this.filled);
        await client.send(new m.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.byteLength }));
        remoteOptions().onBytes?.(body.byteLength, 'up');
      } else {
        if (this.filled > 0) await this.flushPart();
        await client.send(new m.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts } }));
      }
      this.done = true;
      this.buffer = new Uint8Array(0);
    } catch (err) {
      await this.abort();
      throw s3Error(err, this.name, 'upload');
    }
  }

  async abort(): Promise<void> {
    if (this.done && !this.uploadId) return;
    this.done = true;
    this.buffer = new Uint8Array(0);
    const id = this.uploadId;
    this.uploadId = undefined;
    if (!id) return;
    const { client, sdk: m } = await s3Client(this.name);
    const { bucket, key } = bucketAndKey(this.name);
    await client.send(new m.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id })).catch(() => undefined);
  }
}

/** Delete an object (removing an upload that was completed before a later file failed). */
export async function s3Delete(loc: string): Promise<void> {
  const { client, sdk: m } = await s3Client(loc);
  const { bucket, key } = bucketAndKey(loc);
  await client.send(new m.DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
}
