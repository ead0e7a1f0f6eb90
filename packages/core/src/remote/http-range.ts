/**
 * One ranged HTTP GET, defended against servers that stall, trickle, ignore Range, lie in
 * Content-Range / Content-Length, send more than asked, loop redirects or answer with a web
 * page. The body is streamed into a buffer of exactly the asked length and the request is
 * cancelled as soon as anything is wrong, so no answer is ever buffered whole. Browser-safe
 * (fetch, AbortController, ReadableStream readers only).
 */
import { RemoteError, type RemoteFailure } from './remote-error.js';

/** Options of every HTTP request tfweights makes. */
export interface HttpRequestOptions {
  /** Extra request headers (authorization …). */
  headers?: Record<string, string>;
  /** fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /**
   * Milliseconds to wait for the response headers, and for each next piece of the body
   * (default 30 000): a server that stalls fails with a RemoteError `timeout`.
   */
  timeoutMs?: number;
  /**
   * Slowest acceptable body speed in bytes per second (default 16 KiB/s): a request for N
   * bytes is given `timeoutMs + N / minBytesPerSecond` in all, so a trickling server fails too.
   */
  minBytesPerSecond?: number;
  /**
   * A server that ignores Range answers with the whole object. By default that is an error;
   * with this set, the answer is streamed and only the asked bytes are kept (every read then
   * downloads the object up to its end offset).
   */
  allowFullDownload?: boolean;
  /** Called with the byte count of each received piece (progress, throughput). */
  onBytes?: (n: number) => void;
}

export interface RangeAsk {
  readonly url: string;
  /** Name for messages (the location the user typed). */
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** Expected total size (from opening); checked against Content-Range. */
  readonly size: number;
  readonly what?: string;
}

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_MIN_SPEED = 16 * 1024;
/** How much of an error body is read to say what it is. */
const ERROR_BODY_PEEK = 2048;

/** A fetch with the header time-out armed; returns the response and a controller for the body. */
export async function timedFetch(
  url: string, init: RequestInit, name: string, opts: HttpRequestOptions, budgetMs?: number,
): Promise<{ res: Response; timer: BodyTimer }> {
  const timer = new BodyTimer(opts.timeoutMs ?? DEFAULT_TIMEOUT, budgetMs);
  const f = opts.fetch ?? fetch;
  try {
    const res = await f(url, { ...init, signal: timer.signal, redirect: 'follow' });
    timer.touch();
    return { res, timer };
  } catch (cause) {
    timer.stop();
    throw networkError(cause, name, timer.timedOut);
  }
}

/**
 * The time-outs of one request: an idle timer restarted by every piece of the body, and an
 * overall budget. Either aborts the request.
 */
export class BodyTimer {
  private readonly controller = new AbortController();
  private idle: ReturnType<typeof setTimeout> | undefined;
  private readonly total: ReturnType<typeof setTimeout> | undefined;
  timedOut: string | undefined;
  constructor(private readonly idleMs: number, budgetMs?: number) {
    this.touch();
    if (budgetMs !== undefined) this.total = setTimeout(() => this.fire(`no complete answer within ${Math.round(budgetMs)} ms (server too slow)`), budgetMs);
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  touch(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.fire(`server sent nothing for ${this.idleMs} ms`), this.idleMs);
  }
  stop(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    if (this.total !== undefined) clearTimeout(this.total);
  }
  private fire(why: string): void {
    this.timedOut ??= why;
    this.stop();
    this.controller.abort();
  }
}

/** A fetch failure (no response) as a RemoteError: time-out, redirect loop, refused, reset. */
export function networkError(cause: unknown, name: string, timedOut: string | undefined): RemoteError {
  if (timedOut) return new RemoteError('timeout', `time-out: ${timedOut}`, { file: name, retryable: true, cause });
  const inner = (cause as { cause?: { message?: string; code?: string } } | undefined)?.cause;
  const text = `${(cause as Error | undefined)?.message ?? cause} ${inner?.message ?? ''} ${inner?.code ?? ''}`;
  if (/redirect count exceeded|too many redirects|redirect loop/i.test(text)) {
    return new RemoteError('redirect-loop', 'too many redirects (a redirect loop?)', { file: name, cause });
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo|bad port/i.test(text)) {
    return new RemoteError('network', `cannot connect: ${inner?.code ?? inner?.message ?? (cause as Error).message}`, { file: name, cause });
  }
  return new RemoteError('network', `connection failed: ${(inner?.message || inner?.code) ?? (cause as Error | undefined)?.message ?? String(cause)}`, { file: name, retryable: true, cause });
}

/** The RemoteError for a non-success status, with a hint from the body (an HTML page's title). */
export async function statusError(res: Response, name: string, timer?: BodyTimer): Promise<RemoteError> {
  const peek = await peekText(res, timer);
  const hint = describeBody(peek, res.headers.get('content-type'));
  const status = res.status;
  const found = `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''}${hint ? `, ${hint}` : ''}`;
  let reason: RemoteFailure = 'status';
  let problem = 'request refused';
  let retryable = false;
  if (status === 404 || status === 410) [reason, problem] = ['not-found', 'no such remote file'];
  else if (status === 401 || status === 403) [reason, problem] = ['access-denied', 'access denied (credentials or token missing or not allowed to read this)'];
  else if (status === 429 || status >= 500) [reason, problem, retryable] = ['server-error', 'server error', true];
  else if (status === 416) [reason, problem] = ['range-mismatch', 'server refused the byte range (the file changed size?)'];
  return new RemoteError(reason, problem, { file: name, status, found, retryable });
}

/** Up to ERROR_BODY_PEEK bytes of a body as text; the rest is cancelled. */
async function peekText(res: Response, timer?: BodyTimer): Promise<string> {
  const body = res.body;
  if (!body) return '';
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < ERROR_BODY_PEEK) {
      const { done, value } = await reader.read();
      if (done) break;
      timer?.touch();
      parts.push(value);
      n += value.byteLength;
    }
  } catch {
    // The hint is optional; a broken error body still gives the status.
  } finally {
    timer?.stop();
    await reader.cancel().catch(() => undefined);
  }
  const all = new Uint8Array(Math.min(n, ERROR_BODY_PEEK));
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.byteLength, all.byteLength - at);
    all.set(p.subarray(0, take), at);
    at += take;
    if (at >= all.byteLength) break;
  }
  return new TextDecoder().decode(all);
}

function describeBody(text: string, type: string | null): string {
  if (/^\s*</.test(text) && (/html/i.test(type ?? '') || /<html|<!doctype html/i.test(text))) {
    const title = /<title[^>]*>([^<]{0,120})/i.exec(text)?.[1]?.trim();
    return `an HTML page${title ? ` titled '${title}'` : ''}`;
  }
  if (/^\s*<\?xml|^\s*<Error>/.test(text)) {
    const code = /<Code>([^<]{0,80})<\/Code>/.exec(text)?.[1];
    return `an XML error${code ? ` (${code})` : ''}`;
  }
  const line = text.trim().split('\n')[0]?.slice(0, 120);
  return line ? `'${line}'` : '';
}

/** Parse `bytes a-b/total` (total may be `*`). */
export function parseContentRange(v: string | null): { start: number; end: number; total: number | undefined } | undefined {
  const m = v ? /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(v) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

/** One attempt at a ranged GET; throws RemoteError (retryable or not). */
export async function fetchRangeOnce(ask: RangeAsk, opts: HttpRequestOptions): Promise<Uint8Array> {
  const { url, name, offset, length } = ask;
  const budget = (opts.timeoutMs ?? DEFAULT_TIMEOUT) + (length / (opts.minBytesPerSecond ?? DEFAULT_MIN_SPEED)) * 1000;
  const { res, timer } = await timedFetch(url, { headers: { ...opts.headers, Range: `bytes=${offset}-${offset + length - 1}` } }, name, opts, budget);
  const fail = async (reason: RemoteFailure, problem: string, found: string, retryable = false): Promise<never> => {
    timer.stop();
    await res.body?.cancel().catch(() => undefined);
    throw new RemoteError(reason, problem, { file: name, offset, status: res.status, expected: `${length} bytes at offset ${offset}`, found, retryable });
  };
  let skip = 0;
  if (res.status === 206) {
    const cr = parseContentRange(res.headers.get('content-range'));
    if (!cr || cr.start !== offset || cr.end !== offset + length - 1 || (cr.total !== undefined && cr.total !== ask.size)) {
      await fail('range-mismatch', 'server answered a different byte range than asked', `Content-Range '${res.headers.get('content-range') ?? '(none)'}' (size ${ask.size})`);
    }
  } else if (res.status === 200) {
    if (!opts.allowFullDownload) {
      await fail('range-ignored', 'server ignores Range requests and sends the whole object; allow a full download to read it anyway (allowFullDownload, CLI --allow-full-download)', 'HTTP 200 instead of 206');
    }
    skip = offset;
  } else {
    throw await statusError(res, name, timer);
  }
  const declared = res.headers.get('content-length');
  if (declared !== null && res.status === 206 && Number(declared) !== length) {
    await fail('range-mismatch', 'Content-Length of the answer is not the asked length', `Content-Length ${declared}`);
  }
  return readBody(res, ask, opts, timer, skip, res.status === 206 && declared === null);
}

/**
 * Stream the body into exactly `length` bytes after skipping `skip`. More than that from a
 * 206 is a lie (error; `checkEnd`: also look for bytes after the asked ones when no
 * Content-Length bounds the body); from a 200 (full download) the rest is cancelled.
 */
async function readBody(res: Response, ask: RangeAsk, opts: HttpRequestOptions, timer: BodyTimer, skip: number, checkEnd: boolean): Promise<Uint8Array> {
  const { name, offset, length } = ask;
  const out = new Uint8Array(length);
  const body = res.body;
  if (!body) {
    timer.stop();
    throw new RemoteError('short-body', 'answer has no body', { file: name, offset, status: res.status, retryable: true });
  }
  const reader = body.getReader();
  let skipped = 0;
  let got = 0;
  let first = true;
  const htmlType = /text\/html/i.test(res.headers.get('content-type') ?? '');
  try {
    while (got < length) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        throw networkError(cause, name, timer.timedOut);
      }
      if (chunk.done) {
        throw new RemoteError('short-body', 'connection ended before the asked bytes arrived', {
          file: name, offset, status: res.status, expected: `${length} bytes`, found: `${got}`, retryable: true,
        });
      }
      timer.touch();
      let piece = chunk.value;
      opts.onBytes?.(piece.byteLength);
      if (first && htmlType && /^\s*<(!doctype html|html|head)/i.test(new TextDecoder().decode(piece.subarray(0, 64)))) {
        throw new RemoteError('html', 'server sent an HTML page instead of the file\'s bytes (a login or error page?)', { file: name, offset, status: res.status });
      }
      first = false;
      if (skipped < skip) {
        const drop = Math.min(skip - skipped, piece.byteLength);
        skipped += drop;
        piece = piece.subarray(drop);
      }
      if (piece.byteLength === 0) continue;
      if (got + piece.byteLength > length) {
        if (res.status === 206) {
          throw new RemoteError('too-many-bytes', 'server sent more bytes than asked', { file: name, offset, status: res.status, expected: `${length} bytes`, found: `at least ${got + piece.byteLength}` });
        }
        piece = piece.subarray(0, length - got);
      }
      out.set(piece, got);
      got += piece.byteLength;
    }
    if (checkEnd) {
      // A 206 must end exactly here: one more read tells whether the server keeps sending.
      const extra = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (!extra.done && extra.value.byteLength > 0) {
        throw new RemoteError('too-many-bytes', 'server sent more bytes than asked', { file: name, offset, status: res.status, expected: `${length} bytes`, found: `more than ${length}` });
      }
    }
    return out;
  } finally {
    timer.stop();
    await reader.cancel().catch(() => undefined);
  }
}
