/**
 * A static file server for the tests on 127.0.0.1: HEAD, GET and single `Range: bytes=a-b`
 * requests (206 + Content-Range), like the object stores the page reads from. Routes map URL
 * prefixes to folders; `cors` adds the headers a cross-origin page needs.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png' };

export interface TestServer {
  readonly url: string;
  /** Requests seen (method, path, range), for checking that reads are ranged. */
  readonly log: { method: string; path: string; range?: string }[];
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, string>, opts: { cors?: boolean } = {}): Promise<TestServer> {
  const log: TestServer['log'] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    log.push({ method: req.method ?? 'GET', path, ...(req.headers.range ? { range: req.headers.range } : {}) });
    if (opts.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'Range');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges');
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    }
    const prefix = Object.keys(routes).sort((a, b) => b.length - a.length).find((p) => path.startsWith(p));
    if (prefix === undefined) return void res.writeHead(404).end();
    let file = normalize(join(routes[prefix]!, path.slice(prefix.length)));
    if (!file.startsWith(normalize(routes[prefix]!))) return void res.writeHead(403).end();
    let size: number;
    try {
      let st = statSync(file);
      if (st.isDirectory()) {
        file = join(file, 'index.html');
        st = statSync(file);
      }
      size = st.size;
    } catch {
      return void res.writeHead(404).end();
    }
    const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' };
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
      if (start >= size || end < start) return void res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` });
      if (req.method === 'HEAD') return void res.end();
      return void createReadStream(file, { start, end }).pipe(res);
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
