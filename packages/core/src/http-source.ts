/**
 * A ByteSource over HTTP(S) range requests (works with the global fetch of Node ≥ 18 and
 * browsers). The size comes from a HEAD request or, failing that, a 1-byte range request.
 */
import { checkRange, type ByteSource } from './byte-source.js';
import { IoError } from './errors.js';

export interface HttpSourceOptions {
  /** Extra request headers (authorization …). */
  headers?: Record<string, string>;
  /** fetch implementation; the global one by default. */
  fetch?: typeof fetch;
}

export class HttpSource implements ByteSource {
  private constructor(
    readonly name: string, readonly size: number, private readonly opts: HttpSourceOptions,
  ) {}

  /** Open a URL: learns its size, and checks that the server honours Range requests. */
  static async open(url: string, opts: HttpSourceOptions = {}): Promise<HttpSource> {
    const f = opts.fetch ?? fetch;
    let size: number | undefined;
    try {
      const head = await f(url, { method: 'HEAD', headers: opts.headers });
      const len = head.headers.get('content-length');
      if (head.ok && len !== null && head.headers.get('accept-ranges') === 'bytes') size = Number(len);
    } catch (cause) {
      throw new IoError('HTTP HEAD request failed', { file: url, cause });
    }
    if (size === undefined) {
      const res = await f(url, { headers: { ...opts.headers, Range: 'bytes=0-0' } });
      const range = res.headers.get('content-range');
      await res.arrayBuffer();
      const m = range ? /\/(\d+)\s*$/.exec(range) : null;
      if (res.status !== 206 || !m) {
        throw new IoError('server does not answer HTTP range requests', { file: url, expected: '206 with Content-Range', found: `${res.status}` });
      }
      size = Number(m[1]);
    }
    return new HttpSource(url, size, opts);
  }

  async read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    checkRange(this.name, this.size, offset, length, what);
    if (length === 0) return new Uint8Array(0);
    const f = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(this.name, { headers: { ...this.opts.headers, Range: `bytes=${offset}-${offset + length - 1}` } });
    } catch (cause) {
      throw new IoError('HTTP range request failed', { file: this.name, offset, cause });
    }
    if (res.status !== 206 && !(res.status === 200 && offset === 0 && length === this.size)) {
      await res.body?.cancel();
      throw new IoError('unexpected HTTP status for a range request', { file: this.name, offset, expected: '206', found: `${res.status}` });
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength !== length) {
      throw new IoError('short HTTP range response', { file: this.name, offset, expected: `${length} bytes`, found: `${bytes.byteLength}` });
    }
    return bytes;
  }
}
