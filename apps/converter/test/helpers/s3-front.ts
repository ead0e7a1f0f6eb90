/**
 * Fronts for the S3 test server (s3rver) on 127.0.0.1: an HTTP proxy that records every
 * request's method, URL and headers before forwarding it, and can be killed (every
 * connection dropped, the port closed) to play a server dying mid-upload.
 */
import { createServer, request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FrontRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface S3Front {
  /** Endpoint to pass as `--endpoint`. */
  readonly endpoint: string;
  /** Every request so far. */
  readonly requests: FrontRequest[];
  /** Drop every connection and stop listening at once. */
  kill(): void;
}

/** Start a recording proxy to `target`; `onRequest` sees each request before it is forwarded. */
export async function startS3Front(target: string, onRequest?: (r: FrontRequest) => void): Promise<S3Front> {
  const sockets = new Set<Socket>();
  const upstream = new Set<ClientRequest>();
  const requests: FrontRequest[] = [];
  const t = new URL(target);
  const server = createServer((req, res) => {
    const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    requests.push(r);
    onRequest?.(r);
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.add(up);
    up.on('close', () => upstream.delete(up));
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    kill: () => {
      server.close();
      for (const s of sockets) s.destroy();
      for (const u of upstream) u.destroy();
    },
  };
}
