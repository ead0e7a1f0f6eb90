// HttpSource against real servers on 127.0.0.1 that misbehave on purpose (issue 17, point 6):
// every case ends in a RemoteError naming the URL, or a bounded retry that succeeds; never a
// hang, an untyped TypeError or an answer buffered whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource, RemoteError, type HttpSourceOptions } from '../src/index.js';
import { startHttpServer, type HttpTestServer } from '../../testkit/src/http-servers.js';

const data = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 7) & 0xff);
const fast: HttpSourceOptions = { timeoutMs: 400, retryDelayMs: 10, retries: 2 };

let srv: HttpTestServer;
beforeAll(async () => {
  const files: Record<string, Uint8Array> = {};
  for (const p of ['/ok', '/norange', '/stall', '/trickle', '/flaky', '/broken', '/lie', '/more', '/endless', '/loop', '/html404', '/html200', '/denied']) files[p] = data;
  srv = await startHttpServer({
    files,
    misbehave: {
      '/norange': 'ignore-range', '/stall': 'stall-after-headers', '/trickle': 'trickle', '/flaky': 'fail-once', '/broken': 'fail-always',
      '/lie': 'lie-content-range', '/more': 'more-than-asked', '/endless': 'endless', '/loop': 'redirect-loop', '/html404': 'html-404',
      '/html200': 'html-200', '/denied': 'forbidden',
    },
  });
});
afterAll(() => srv.close());

async function failure(p: Promise<unknown>): Promise<RemoteError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RemoteError);
  return err as RemoteError;
}

describe('HttpSource against lying servers', () => {
  it('reads exact ranges, one request per read, and coalesces reads asked together', async () => {
    const src = await HttpSource.open(`${srv.url}/ok`, fast);
    expect(src.size).toBe(data.byteLength);
    const before = srv.count('/ok');
    expect(Array.from(await src.read(1000, 5))).toEqual(Array.from(data.subarray(1000, 1005)));
    expect(srv.count('/ok') - before).toBe(1);
    const [a, b, c] = await Promise.all([src.read(0, 100), src.read(150, 50), src.read(200_000, 10)]);
    expect(Array.from(a)).toEqual(Array.from(data.subarray(0, 100)));
    expect(Array.from(b)).toEqual(Array.from(data.subarray(150, 200)));
    expect(Array.from(c)).toEqual(Array.from(data.subarray(200_000, 200_010)));
    // 0-100 and 150-200 are neighbours (one request); 200 000 is far (another).
    expect(srv.count('/ok') - before).toBe(3);
  });

  it('refuses a server that ignores Range without downloading the object, unless asked', async () => {
    const err = await failure(HttpSource.open(`${srv.url}/norange`, fast));
    expect(err.reason).toBe('range-ignored');
    expect(err.message).toContain(`${srv.url}/norange`);
    expect(err.message).toMatch(/--allow-full-download/);
    // The probe cancelled the 200 body: far less than the object went out.
    const sent = srv.requests.filter((r) => r.path === '/norange' && r.method === 'GET').reduce((s, r) => s + r.bytes, 0);
    expect(sent).toBeLessThanOrEqual(2 << 20);
    const src = await HttpSource.open(`${srv.url}/norange`, { ...fast, allowFullDownload: true });
    expect(Array.from(await src.read(70_000, 8))).toEqual(Array.from(data.subarray(70_000, 70_008)));
  });

  it('times out a server that stalls after the headers (typed, retried, bounded)', async () => {
    const src = await HttpSource.open(`${srv.url}/stall`, fast);
    const before = srv.count('/stall');
    const err = await failure(src.read(0, 1024));
    expect(err.reason).toBe('timeout');
    expect(err.message).toContain(`${srv.url}/stall`);
    expect(srv.count('/stall') - before).toBe(3); // first try + 2 retries
  });

  it('times out a trickling server', async () => {
    const src = await HttpSource.open(`${srv.url}/trickle`, { ...fast, retries: 0, timeoutMs: 300, minBytesPerSecond: 100 });
    const err = await failure(src.read(0, 64));
    expect(err.reason).toBe('timeout');
    expect(err.message).toMatch(/too slow/);
  });

  it('retries a 503 and then succeeds', async () => {
    const src = await HttpSource.open(`${srv.url}/flaky`, fast);
    expect(Array.from(await src.read(10, 4))).toEqual(Array.from(data.subarray(10, 14)));
    expect(srv.requests.filter((r) => r.path === '/flaky' && r.status === 503).length).toBeGreaterThanOrEqual(1);
  });

  it('gives up on a server that keeps failing, saying what it answered', async () => {
    const err = await failure(HttpSource.open(`${srv.url}/broken`, fast));
    expect(err.reason).toBe('server-error');
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/HTTP 500.*HTML page titled 'Service Unavailable'/);
    expect(srv.count('/broken', true)).toBe(3);
  });

  it('refuses a lying Content-Range', async () => {
    const src = await HttpSource.open(`${srv.url}/lie`, fast);
    const err = await failure(src.read(100, 10));
    expect(err.reason).toBe('range-mismatch');
    expect(err.message).toMatch(/Content-Range 'bytes 101-110/);
  });

  it('stops reading a server that sends more than asked', async () => {
    const src = await HttpSource.open(`${srv.url}/more`, fast);
    const err = await failure(src.read(0, 4096));
    expect(err.reason).toBe('too-many-bytes');
  });

  it('never buffers an endless answer to a small range', async () => {
    const src = await HttpSource.open(`${srv.url}/endless`, fast);
    const rss = process.memoryUsage().rss;
    const err = await failure(src.read(0, 4096));
    expect(err.reason).toBe('too-many-bytes');
    await new Promise((r) => setTimeout(r, 50));
    const sent = srv.requests.filter((r) => r.path === '/endless' && r.method === 'GET').reduce((s, r) => s + r.bytes, 0);
    expect(sent).toBeLessThan(64 << 20); // the client hung up early (the server would send 1 TiB)
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 << 20);
  });

  it('names a redirect loop', async () => {
    const err = await failure(HttpSource.open(`${srv.url}/loop`, fast));
    expect(err.reason).toBe('redirect-loop');
    expect(err.message).toContain(`${srv.url}/loop`);
  });

  it('says when the answer is an HTML page (404 page, or a 200 sign-in page)', async () => {
    const e404 = await failure(HttpSource.open(`${srv.url}/html404`, fast));
    expect(e404.reason).toBe('not-found');
    expect(e404.message).toMatch(/no such remote file.*HTTP 404.*HTML page titled '404 Not Found'/);
    const src = await HttpSource.open(`${srv.url}/html200`, { ...fast, allowFullDownload: true });
    const e200 = await failure(src.read(0, 100));
    expect(e200.reason).toBe('html');
  });

  it('says access denied on 403 with the XML error code, without retrying', async () => {
    const err = await failure(HttpSource.open(`${srv.url}/denied`, fast));
    expect(err.reason).toBe('access-denied');
    expect(err.message).toMatch(/AccessDenied/);
    expect(srv.count('/denied', true)).toBe(1);
  });

  it('reports a server that is not there at once', async () => {
    const err = await failure(HttpSource.open('http://127.0.0.1:9/none', fast));
    expect(err.reason).toBe('network');
  });
});
