/**
 * A ByteSource over HTTP(S) range requests (the global fetch of Node ≥ 18 and browsers).
 * The size comes from a 1-byte range request. Reads are
 * bounded in flight per host, neighbouring reads asked for together are coalesced into one
 * request, transient failures (5xx, 429, time-outs, resets) are retried with back-off, and
 * every answer is checked (see remote/http-range.ts). Errors are RemoteErrors naming the URL.
 */
import { checkRange, type ByteSource } from './byte-source.js';
import { DEFAULT_CONCURRENCY, limiterFor, type Limiter } from './remote/limiter.js';
import { fetchRangeOnce, parseContentRange, statusError, timedFetch, type HttpRequestOptions } from './remote/http-range.js';
import { RemoteError, withRetries, type RetryOptions } from './remote/remote-error.js';

export interface HttpSourceOptions extends HttpRequestOptions, RetryOptions {
  /** Name used in messages (default: the URL); e.g. the `hf://` or `gs://` location typed. */
  name?: string;
  /** Requests in flight per host (default 8). */
  concurrency?: number;
  /**
   * Reads asked for together whose gap is at most this many bytes go in one request
   * (default 64 KiB; 0 merges only touching ranges, -1 never merges).
   */
  coalesceGap?: number;
  /** Largest merged request in bytes (default 16 MiB). */
  maxCoalescedBytes?: number;
}

interface Pending {
  offset: number;
  length: number;
  what: string | undefined;
  resolve: (b: Uint8Array) => void;
  reject: (e: unknown) => void;
}

/**
 * Size and range support of a URL from one 1-byte range request (not HEAD: its answer has
 * no body to say what went wrong, and signed URLs are often signed for GET only).
 */
async function probeSize(url: string, name: string, opts: HttpSourceOptions): Promise<number> {
  const { res, timer: t2 } = await timedFetch(url, { headers: { ...opts.headers, Range: 'bytes=0-0' } }, name, opts);
  if (res.status === 206) {
    t2.stop();
    await res.body?.cancel().catch(() => undefined);
    const total = parseContentRange(res.headers.get('content-range'))?.total;
    if (total === undefined) throw new RemoteError('range-mismatch', 'range answer without a total size', { file: name, expected: 'Content-Range bytes 0-0/<size>', found: res.headers.get('content-range') ?? '(none)' });
    return total;
  }
  if (res.status === 416 && /\*\/0\s*$/.test(res.headers.get('content-range') ?? '')) {
    t2.stop();
    await res.body?.cancel().catch(() => undefined);
    return 0;
  }
  if (res.status === 200) {
    t2.stop();
    // Never read the body here: it is the whole object.
    await res.body?.cancel().catch(() => undefined);
    const whole = res.headers.get('content-length');
    if (opts.allowFullDownload && whole !== null) return Number(whole);
    throw new RemoteError('range-ignored', opts.allowFullDownload
      ? 'server ignores Range requests and does not say the size (no Content-Length)'
      : 'server ignores Range requests (it would send the whole object for every read); allow a full download to read it anyway (allowFullDownload, CLI --allow-full-download)', {
      file: name, status: 200, expected: '206 with Content-Range', found: `200${whole !== null ? `, ${whole} bytes` : ''}`,
    });
  }
  throw await statusError(res, name, t2);
}

export class HttpSource implements ByteSource {
  private pending: Pending[] = [];
  private readonly limiter: Limiter;
  private closed = false;

  private constructor(readonly url: string, readonly name: string, readonly size: number, private readonly opts: HttpSourceOptions) {
    this.limiter = limiterFor(originOf(url), opts.concurrency ?? DEFAULT_CONCURRENCY);
  }

  /** Open a URL: learns its size and checks that the server honours Range requests. */
  static async open(url: string, opts: HttpSourceOptions = {}): Promise<HttpSource> {
    const name = opts.name ?? url;
    const size = await withRetries(() => probeSize(url, name, opts), opts);
    if (!Number.isSafeInteger(size) || size < 0) throw new RemoteError('range-mismatch', 'server reports an impossible size', { file: name, found: String(size) });
    return new HttpSource(url, name, size, opts);
  }

  /** A source for a URL whose size is already known (no probe request). */
  static withSize(url: string, size: number, opts: HttpSourceOptions = {}): HttpSource {
    return new HttpSource(url, opts.name ?? url, size, opts);
  }

  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (this.closed) throw new RemoteError('status', 'read after close', { file: this.name, offset });
    if (length === 0) return new Uint8Array(0);
    return new Promise<Uint8Array>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ offset, length, what, resolve, reject });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Issue what was asked in this tick: neighbours merged, each group one request. */
  private flush(): void {
    const asks = this.pending.sort((a, b) => a.offset - b.offset);
    this.pending = [];
    const gap = this.opts.coalesceGap ?? 64 * 1024;
    const max = this.opts.maxCoalescedBytes ?? 16 * 1024 * 1024;
    let group: Pending[] = [];
    let start = 0;
    let end = 0;
    for (const a of asks) {
      if (group.length > 0 && gap >= 0 && a.offset <= end + gap && Math.max(end, a.offset + a.length) - start <= max) {
        group.push(a);
        end = Math.max(end, a.offset + a.length);
        continue;
      }
      if (group.length > 0) this.fetchGroup(group, start, end);
      group = [a];
      start = a.offset;
      end = a.offset + a.length;
    }
    if (group.length > 0) this.fetchGroup(group, start, end);
  }

  private fetchGroup(group: Pending[], start: number, end: number): void {
    const what = group.length === 1 ? group[0]!.what : `${group.length} merged reads`;
    const ask = { url: this.url, name: this.name, offset: start, length: end - start, size: this.size, ...(what !== undefined ? { what } : {}) };
    this.limiter.run(() => withRetries(() => fetchRangeOnce(ask, this.opts), this.opts)).then(
      (bytes) => {
        for (const p of group) p.resolve(group.length === 1 ? bytes : bytes.subarray(p.offset - start, p.offset - start + p.length));
      },
      (err) => {
        for (const p of group) p.reject(err);
      },
    );
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
