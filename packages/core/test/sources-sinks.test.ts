import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CorruptDataError, HttpSource, MemorySource, SliceSource, describeContent, sniffInputOf, IoError } from '../src/index.js';
import { AtomicFileSet, createFileSink, openFile, writeAtomically } from '../src/node/index.js';

const bytes = new Uint8Array(1000).map((_, i) => i & 0xff);

describe('MemorySource / SliceSource', () => {
  it('reads views and refuses ranges past the end with the file named', async () => {
    const src = new MemorySource(bytes, 'mem.bin');
    expect(Array.from(await src.read(10, 3))).toEqual([10, 11, 12]);
    await expect(src.read(990, 20, 'tensor data')).rejects.toThrow(/mem\.bin, offset 990: tensor data runs past the end/);
    await expect(src.read(-1, 2)).rejects.toBeInstanceOf(CorruptDataError);
    const slice = new SliceSource(src, 100, 50, 'member.npy');
    expect((await slice.read(0, 2))[0]).toBe(100);
    await expect(slice.read(40, 20)).rejects.toThrow(/member\.npy/);
  });
});

describe('FileSource and atomic sinks', () => {
  // core cannot depend on @tfweights/testkit (it depends on core), so make the temp dir here.
  const dir = { path: mkdtempSync(join(tmpdir(), 'tfw-core-')) };
  afterAll(() => rmSync(dir.path, { recursive: true, force: true }));

  it('reads positional ranges of a file', async () => {
    const p = join(dir.path, 'a.bin');
    writeFileSync(p, bytes);
    const src = await openFile(p);
    expect(src.size).toBe(1000);
    expect(Array.from(await src.read(998, 2))).toEqual([230, 231]);
    await expect(src.read(999, 2)).rejects.toThrow(/a\.bin/);
    await src.close();
  });

  it('renames on finish, removes the temp file on abort, refuses to overwrite', async () => {
    const target = join(dir.path, 'out.bin');
    const sink = await createFileSink(target);
    await sink.write(bytes.subarray(0, 10));
    expect(existsSync(target)).toBe(false);
    await sink.finish();
    expect(readFileSync(target).length).toBe(10);
    await expect(createFileSink(target)).rejects.toThrow(/already exists/);
    const again = await createFileSink(target, { overwrite: true });
    await again.write(bytes);
    await again.abort();
    expect(readFileSync(target).length).toBe(10);
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('commits a file set together and leaves nothing after abort or a failing writer', async () => {
    const set = new AtomicFileSet();
    const a = await set.sink(join(dir.path, 'set.index'));
    await a.write(bytes.subarray(0, 4));
    const p = await set.path(join(dir.path, 'set.h5'));
    writeFileSync(p, 'x');
    await set.abort();
    expect(readdirSync(dir.path).filter((f) => f.startsWith('set') || f.includes('.tmp'))).toEqual([]);
    await expect(writeAtomically(join(dir.path, 'outdir'), async (tmp) => {
      writeFileSync(tmp, 'partial');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(readdirSync(dir.path).filter((f) => f.includes('outdir'))).toEqual([]);
  });
});

describe('HttpSource', () => {
  let server: Server;
  let url = '';
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-length': String(bytes.length), 'accept-ranges': 'bytes' });
        return res.end();
      }
      if (!m) {
        res.writeHead(200);
        return res.end(Buffer.from(bytes));
      }
      const [s, e] = [Number(m[1]), Number(m[2])];
      res.writeHead(206, { 'content-range': `bytes ${s}-${e}/${bytes.length}` });
      res.end(Buffer.from(bytes.subarray(s, e + 1)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    url = `http://127.0.0.1:${addr.port}/w.bin`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads ranges with one request each', async () => {
    const src = await HttpSource.open(url);
    expect(src.size).toBe(1000);
    const before = requests;
    expect(Array.from(await src.read(500, 4))).toEqual([244, 245, 246, 247]);
    expect(requests - before).toBe(1);
    await expect(src.read(999, 5)).rejects.toThrow(/runs past the end/);
  });

  it('reports a server that is not there as an IoError', async () => {
    await expect(HttpSource.open('http://127.0.0.1:9/none')).rejects.toBeInstanceOf(IoError);
  });
});

describe('describeContent', () => {
  const describe_ = async (text: string | Uint8Array) =>
    describeContent(await sniffInputOf(new MemorySource(typeof text === 'string' ? new TextEncoder().encode(text) : text, 'f')));
  it('names what a file really is', async () => {
    expect(await describe_('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n')).toMatch(/Git LFS pointer/);
    expect(await describe_('<!DOCTYPE html><html>')).toMatch(/HTML/);
    expect(await describe_(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('an HDF5 file');
    expect(await describe_(new Uint8Array([0x50, 0x4b, 3, 4, ...new TextEncoder().encode('metadata.json')]))).toMatch(/Keras 3/);
    expect(await describe_('')).toBe('an empty file');
  });
});
