/**
 * Real HTTP servers on 127.0.0.1 for the remote-file tests: a range-capable static server
 * over a folder and/or virtual files (a multi-GiB data file that is never on disk), that
 * counts every request, and can misbehave on purpose per path: ignore Range, stall after
 * the headers, trickle, fail with 500/503 first, lie in Content-Range, send more than asked,
 * loop redirects, or answer with an HTML page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { open, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/** A file served from memory or generated on the fly. */
export interface VirtualFile {
  readonly size: number;
  read(offset: number, length: number): Uint8Array | Promise<Uint8Array>;
}

/** How a path misbehaves. */
export type Misbehaviour =
  | 'ignore-range' | 'stall-after-headers' | 'trickle' | 'fail-once' | 'fail-always' | 'lie-content-range'
  | 'more-than-asked' | 'endless' | 'redirect-loop' | 'html-404' | 'html-200' | 'forbidden';

export interface HttpTestServerOptions {
  /** Folder served at `/` (paths are confined to it). */
  root?: string;
  /** Files by URL path (`/a/b.bin`), before the folder. */
  files?: Record<string, Uint8Array | VirtualFile>;
  /** Misbehaviour by URL path prefix. */
  misbehave?: Record<string, Misbehaviour>;
}

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  /** The Authorization header sent, if any. */
  readonly authorization: string | undefined;
  status: number;
  /** Body bytes the server wrote. */
  bytes: number;
}

export interface HttpTestServer {
  readonly url: string;
  /** Every request so far. */
  readonly requests: LoggedRequest[];
  /** Requests for paths matching `path` (exact string or RegExp), GETs only unless `all`. */
  count(path: string | RegExp, all?: boolean): number;
  close(): Promise<void>;
}

function asVirtual(v: Uint8Array | VirtualFile): VirtualFile {
  return v instanceof Uint8Array ? { size: v.byteLength, read: (o, n) => v.subarray(o, o + n) } : v;
}

async function fileAt(opts: HttpTestServerOptions, path: string): Promise<VirtualFile | undefined> {
  const v = opts.files?.[path];
  if (v) return asVirtual(v);
  if (!opts.root) return undefined;
  const rel = normalize(decodeURIComponent(path)).replace(/^(\.\.(\/|$))+/, '');
  const full = join(opts.root, rel);
  const st = await stat(full).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  return {
    size: st.size,
    read: async (o, n) => {
      const h = await open(full, 'r');
      try {
        const b = new Uint8Array(n);
        await h.read(b, 0, n, o);
        return b;
      } finally {
        await h.close();
      }
    },
  };
}

const html = (title: string) => `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;

/** Start a server; close() it at the end of the test. */
export async function startHttpServer(opts: HttpTestServerOptions = {}): Promise<HttpTestServer> {
  const requests: LoggedRequest[] = [];
  const failedOnce = new Set<string>();
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const log: LoggedRequest = { method: req.method ?? 'GET', path, range: req.headers.range, authorization: req.headers.authorization, status: 0, bytes: 0 };
    requests.push(log);
    const send = (status: number, headers: Record<string, string | number>, body?: Uint8Array | string) => {
      log.status = status;
      res.writeHead(status, headers);
      if (body !== undefined && req.method !== 'HEAD') {
        log.bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
        res.end(body);
      } else res.end();
    };
    const mode = Object.entries(opts.misbehave ?? {}).find(([p]) => path.startsWith(p))?.[1];
    if (mode === 'redirect-loop') return send(302, { Location: path });
    if (mode === 'html-404') return send(404, { 'Content-Type': 'text/html' }, html('404 Not Found'));
    if (mode === 'forbidden') return send(403, { 'Content-Type': 'application/xml' }, '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>');
    if (mode === 'fail-always' || (mode === 'fail-once' && !failedOnce.has(`${req.method} ${req.headers.range ?? ''} ${path}`))) {
      failedOnce.add(`${req.method} ${req.headers.range ?? ''} ${path}`);
      return send(mode === 'fail-once' ? 503 : 500, { 'Content-Type': 'text/html' }, html('Service Unavailable'));
    }
    const file = await fileAt(opts, path);
    if (mode === 'html-200') return send(200, { 'Content-Type': 'text/html', 'Accept-Ranges': 'bytes', 'Content-Length': 200_000 }, html('Sign in').padEnd(200_000, ' '));
    if (!file) return send(404, { 'Content-Type': 'text/plain' }, 'not found');
    const rangeHeader = mode === 'ignore-range' ? undefined : req.headers.range;
    const m = rangeHeader ? /^bytes=(\d+)-(\d*)$/.exec(rangeHeader) : null;
    const base = { 'Content-Type': 'application/octet-stream', ...(mode === 'ignore-range' ? {} : { 'Accept-Ranges': 'bytes' }) };
    if (req.method === 'HEAD') return send(200, { ...base, 'Content-Length': file.size });
    if (!m) {
      // Whole object, in pieces so a client can stop early.
      log.status = 200;
      res.writeHead(200, { ...base, 'Content-Length': file.size });
      return pipeRange(res, file, 0, file.size, log);
    }
    const start = Number(m[1]);
    const end = Math.min(m[2] === '' ? file.size - 1 : Number(m[2]), file.size - 1);
    if (start >= file.size || end < start) return send(416, { 'Content-Range': `bytes */${file.size}` });
    const length = end - start + 1;
    if (mode === 'lie-content-range') {
      return send(206, { ...base, 'Content-Range': `bytes ${start + 1}-${end + 1}/${file.size}`, 'Content-Length': length }, await file.read(start, length));
    }
    if (mode === 'more-than-asked' || mode === 'endless') {
      // Correct headers, then the asked bytes and far more (no Content-Length: chunked).
      log.status = 206;
      res.writeHead(206, { ...base, 'Content-Range': `bytes ${start}-${end}/${file.size}` });
      const filler = new Uint8Array(1 << 20);
      res.write(await file.read(start, length));
      log.bytes += length;
      const limit = mode === 'endless' ? 2 ** 40 : 4 << 20;
      for (let sent = 0; sent < limit && !res.destroyed; sent += filler.byteLength) {
        if (!res.write(filler)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
        log.bytes += filler.byteLength;
      }
      return void res.end();
    }
    log.status = 206;
    res.writeHead(206, { ...base, 'Content-Range': `bytes ${start}-${end}/${file.size}`, 'Content-Length': length });
    if (mode === 'stall-after-headers') {
      res.flushHeaders();
      return; // never sends the body; the client must time out
    }
    if (mode === 'trickle') {
      const bytes = await file.read(start, length);
      for (let i = 0; i < bytes.byteLength && !res.destroyed; i++) {
        res.write(bytes.subarray(i, i + 1));
        log.bytes++;
        await new Promise((r) => setTimeout(r, 50));
      }
      return void res.end();
    }
    return pipeRange(res, file, start, length, log);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (p, all = false) => requests.filter((r) => (all || r.method === 'GET') && (typeof p === 'string' ? r.path === p : p.test(r.path))).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function pipeRange(res: ServerResponse, file: VirtualFile, start: number, length: number, log: LoggedRequest): Promise<void> {
  const CHUNK = 1 << 20;
  for (let at = 0; at < length && !res.destroyed; at += CHUNK) {
    const piece = await file.read(start + at, Math.min(CHUNK, length - at));
    log.bytes += piece.byteLength;
    if (!res.write(piece)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
  }
  res.end();
}
