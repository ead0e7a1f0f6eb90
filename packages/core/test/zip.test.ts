import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deflateSync } from 'fflate';
import {
  MemorySink, MemorySource, crc32, useCrc32Implementation, crc32Portable, isTfwError, openZip, ZipWriter, type ByteSink, type ByteSource,
} from '../src/index.js';

const enc = new TextEncoder();

async function zipOf(members: [string, Uint8Array, boolean?][], forceZip64 = false): Promise<Uint8Array> {
  const sink = new MemorySink('test.zip');
  const w = new ZipWriter(sink, { forceZip64 });
  for (const [name, data, compress] of members) await w.addBytes(name, data, { compress: !!compress });
  await w.finish();
  return sink.bytes();
}

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (!isTfwError(e)) throw e;
    return e;
  }
  throw new Error('expected an error');
}

const native = createRequire(import.meta.url)('@node-rs/crc32') as { crc32: (b: Buffer, c?: number) => number };
const nativeCrc32 = (d: Uint8Array, c = 0): number => native.crc32(Buffer.from(d.buffer, d.byteOffset, d.byteLength), c) >>> 0;

const python = ['/usr/bin/python3'].find((exe) => spawnSync(exe, ['-c', 'import zipfile'], { stdio: 'ignore' }).status === 0);

describe('crc32', () => {
  it('matches the zip check value and continues across chunks', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    const data = enc.encode('hello zip world, a longer string to cross the 8-byte loop');
    expect(crc32(data.subarray(10), crc32(data.subarray(0, 10)))).toBe(crc32Portable(data));
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('zip round trip', () => {
  it('reads back stored, deflated, empty and UTF-8 named members', async () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    const bytes = await zipOf([['a.txt', enc.encode('hello')], ['b.bin', big, true], ['empty', new Uint8Array(0)], ['ü/x.npy', enc.encode('x'), true]]);
    const z = await openZip(new MemorySource(bytes, 't.zip'));
    expect(z.entries.map((e) => [e.name, e.method])).toEqual([['a.txt', 0], ['b.bin', 8], ['empty', 0], ['ü/x.npy', 8]]);
    expect(new TextDecoder().decode(await z.get('a.txt')!.bytes())).toBe('hello');
    expect(same(await z.get('b.bin')!.bytes(), big)).toBe(true);
    expect(z.get('b.bin')!.compressedSize).toBeLessThan(big.length);
    expect((await z.get('empty')!.bytes()).length).toBe(0);
    const slice = await z.get('a.txt')!.slice();
    expect(new TextDecoder().decode(await slice.read(1, 3))).toBe('ell');
  });

  it('writes data descriptors from chunk streams and reads them back', async () => {
    const sink = new MemorySink();
    const w = new ZipWriter(sink);
    async function* gen() {
      for (let i = 0; i < 5; i++) yield new Uint8Array(1000).fill(i);
    }
    await w.addChunks('s', gen());
    await w.addChunks('d', gen(), { compress: true, sizeHint: 5000 });
    await w.finish();
    const z = await openZip(new MemorySource(sink.bytes()));
    for (const name of ['s', 'd']) {
      const b = await z.get(name)!.bytes();
      expect(b.length).toBe(5000);
      expect(b[4999]).toBe(4);
      expect(z.get(name)!.flags & 8).toBe(8);
    }
  });

  it('adds a member from a ByteSource in two passes', async () => {
    const data = new Uint8Array(20_000_000).map((_, i) => i & 0xff);
    const sink = new MemorySink();
    const w = new ZipWriter(sink);
    await w.addSource('model.weights.h5', new MemorySource(data));
    await w.addSource('c', new MemorySource(data.subarray(0, 1000)), { compress: true });
    await w.finish();
    const z = await openZip(new MemorySource(sink.bytes()));
    expect(same(await z.get('model.weights.h5')!.bytes(), data)).toBe(true);
    expect(same(await z.get('c')!.bytes(), data.subarray(0, 1000))).toBe(true);
    expect(z.get('model.weights.h5')!.flags).toBe(0);
  });

  it('refuses duplicate names and writes after finish', async () => {
    const w = new ZipWriter(new MemorySink());
    await w.addBytes('a', new Uint8Array(1));
    expect((await errorOf(w.addBytes('a', new Uint8Array(1)))).code).toBe('InvalidArgument');
    await w.finish();
    expect((await errorOf(w.addBytes('b', new Uint8Array(1)))).code).toBe('InvalidArgument');
  });

  it.skipIf(!python)('Python zipfile reads what we write (stored, deflate, descriptors, zip64 extras)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfw-zip-'));
    try {
      const sink = new MemorySink();
      const w = new ZipWriter(sink, { forceZip64: true });
      await w.addBytes('a.txt', enc.encode('hello'));
      await w.addBytes('b.txt', enc.encode('hello hello hello'), { compress: true });
      await w.addChunks('c.txt', [enc.encode('strea'), enc.encode('med')], { compress: true });
      await w.addBytes('ü.txt', enc.encode('utf8'));
      await w.finish();
      writeFileSync(join(dir, 'x.zip'), sink.bytes());
      const out = spawnSync(python!, ['-c', 'import zipfile,sys,json\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename: z.read(i).decode() for i in z.infolist()}))', join(dir, 'x.zip')], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      expect(JSON.parse(out.stdout)).toEqual({ 'a.txt': 'hello', 'b.txt': 'hello hello hello', 'c.txt': 'streamed', 'ü.txt': 'utf8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!python)('we read what Python zipfile writes, including data descriptors from an unseekable stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfw-zip-'));
    try {
      const code = [
        'import zipfile,sys,io',
        'class W(io.RawIOBase):',
        '  def __init__(s,f): s.f=f',
        '  def writable(s): return True',
        '  def write(s,b): return s.f.write(b)',
        'with open(sys.argv[1],"wb") as f:',
        '  with zipfile.ZipFile(W(f),"w",zipfile.ZIP_DEFLATED) as z:',
        '    z.writestr("a.txt","alpha"*100)',
        '    with z.open("b.bin","w",force_zip64=True) as m: m.write(bytes(range(256))*40)',
      ].join('\n');
      const r = spawnSync(python!, ['-c', code, join(dir, 'p.zip')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const z = await openZip(new MemorySource(readFileSync(join(dir, 'p.zip')), 'p.zip'));
      expect(new TextDecoder().decode(await z.get('a.txt')!.bytes())).toBe('alpha'.repeat(100));
      expect((await z.get('b.bin')!.bytes()).length).toBe(10240);
      expect(z.get('b.bin')!.flags & 8).toBe(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A sink that keeps chunks by reference, and a source over them: archives of many GiB in little memory. */
class SegmentSink implements ByteSink {
  readonly name = 'big.zip';
  position = 0;
  readonly segments: { at: number; bytes: Uint8Array }[] = [];
  async write(bytes: Uint8Array): Promise<void> {
    this.segments.push({ at: this.position, bytes });
    this.position += bytes.byteLength;
  }
  async finish(): Promise<void> {}
  async abort(): Promise<void> {}
  source(): ByteSource {
    const segs = this.segments;
    const size = this.position;
    return {
      name: 'big.zip', size,
      async read(offset, length) {
        const out = new Uint8Array(length);
        for (const s of segs) {
          const a = Math.max(offset, s.at);
          const b = Math.min(offset + length, s.at + s.bytes.byteLength);
          if (a < b) out.set(s.bytes.subarray(a - s.at, b - s.at), a - offset);
        }
        return out;
      },
    };
  }
}

describe('zip64', () => {
  it('a native CRC-32 can be swapped in and agrees with the portable one', () => {
    const data = new Uint8Array(1 << 16).map((_, i) => (i * 31) & 0xff);
    useCrc32Implementation(nativeCrc32);
    try {
      expect(crc32(data)).toBe(crc32Portable(data));
      expect(crc32(data.subarray(100), crc32(data.subarray(0, 100)))).toBe(crc32Portable(data));
    } finally {
      useCrc32Implementation(crc32Portable);
    }
  });

  it('writes and reads an archive over 4 GiB (member sizes and offsets past 32 bits)', async () => {
    // The hardware CRC keeps hashing 4 GiB quick; the portable one is tested above.
    useCrc32Implementation(nativeCrc32);
    onTestFinished(() => useCrc32Implementation(crc32Portable));
    const sink = new SegmentSink();
    const w = new ZipWriter(sink);
    const chunk = new Uint8Array(64 << 20).fill(1);
    const n = 65; // 65 × 64 MiB = 4.06 GiB
    async function* gen() {
      for (let i = 0; i < n; i++) yield chunk;
    }
    await w.addChunks('huge.bin', gen());
    await w.addBytes('after.txt', enc.encode('tail'));
    await w.finish();
    expect(sink.position).toBeGreaterThan(2 ** 32);
    const z = await openZip(sink.source());
    const huge = z.get('huge.bin')!;
    expect(huge.size).toBe(n * chunk.length);
    const after = z.get('after.txt')!;
    expect(after.localHeaderOffset).toBeGreaterThan(2 ** 32);
    expect(new TextDecoder().decode(await after.bytes())).toBe('tail');
    const s = await huge.slice();
    expect((await s.read(s.size - 4, 4))).toEqual(new Uint8Array(4).fill(1));
  });
});

describe('hostile zip input', () => {
  it('names the archive and the member', async () => {
    const good = await zipOf([['x.npy', enc.encode('0123456789'.repeat(20)), true], ['y', enc.encode('plain')]]);
    // Bad CRC in the central directory.
    const bad = good.slice();
    const cd = findSig(bad, [0x50, 0x4b, 0x01, 0x02]);
    bad[cd + 16] = bad[cd + 16]! ^ 0xff;
    const e = await errorOf(openZip(new MemorySource(bad, 'bad.npz')).then((z) => z.get('x.npy')!.bytes()));
    expect(e.code).toBe('ChecksumMismatch');
    expect(e.message).toContain('bad.npz');
    expect(e.message).toContain("'x.npy'");
  });

  it('refuses declared sizes over the limit before inflating (zip bomb)', async () => {
    const bomb = await zipOf([['b', new Uint8Array(5_000_000), true]]);
    const z = await openZip(new MemorySource(bomb, 'bomb.zip'), { maxInflatedSize: 1_000_000 });
    expect((await errorOf(z.get('b')!.bytes())).code).toBe('LimitExceeded');
  });

  it('refuses a declared size deflate cannot produce, and a size that lies', async () => {
    const bytes = await zipOf([['b', new Uint8Array(1000).fill(3), true]]);
    const cd = findSig(bytes, [0x50, 0x4b, 0x01, 0x02]);
    const lie = bytes.slice();
    new DataView(lie.buffer).setUint32(cd + 24, 0x7fff0000, true);
    expect((await errorOf(openZip(new MemorySource(lie)).then((z) => z.get('b')!.bytes()))).code).toBe('CorruptData');
    const lie2 = bytes.slice();
    new DataView(lie2.buffer).setUint32(cd + 24, 999, true);
    expect((await errorOf(openZip(new MemorySource(lie2)).then((z) => z.get('b')!.bytes()))).code).toBe('CorruptData');
  });

  it('refuses overlapping members and counts larger than the directory', async () => {
    const bytes = await zipOf([['a', new Uint8Array(100)], ['b', new Uint8Array(100)]]);
    const cd = findSig(bytes, [0x50, 0x4b, 0x01, 0x02]);
    const second = findSig(bytes, [0x50, 0x4b, 0x01, 0x02], cd + 1);
    const overlap = bytes.slice();
    new DataView(overlap.buffer).setUint32(second + 42, 0, true);
    expect((await errorOf(openZip(new MemorySource(overlap)))).code).toBe('CorruptData');
    const count = bytes.slice();
    const eocd = findSig(count, [0x50, 0x4b, 0x05, 0x06]);
    new DataView(count.buffer).setUint16(eocd + 10, 60000, true);
    expect((await errorOf(openZip(new MemorySource(count)))).code).toBe('CorruptData');
  });

  it('says NotThisFormat for something that is not a zip', async () => {
    expect((await errorOf(openZip(new MemorySource(enc.encode('just some text, long enough to search'))))).code).toBe('NotThisFormat');
  });

  it('survives truncation and random bit flips with typed errors only', async () => {
    const good = await zipOf([['x.npy', enc.encode('abcdefgh'.repeat(50)), true], ['y.npy', enc.encode('plain text member')]], true);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 1500; i++) {
      let m = good.slice();
      if (i % 5 === 0) m = m.subarray(0, Math.floor(rnd() * m.length));
      else for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
        const at = Math.floor(rnd() * m.length);
        m[at] = m[at]! ^ (1 << Math.floor(rnd() * 8));
      }
      try {
        const z = await openZip(new MemorySource(m, 'fuzz.zip'), { maxInflatedSize: 1 << 20 });
        for (const e of z.entries) await e.bytes();
      } catch (e) {
        if (!isTfwError(e)) throw e;
      }
    }
  });
});

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function findSig(bytes: Uint8Array, sig: number[], from = 0): number {
  for (let i = from; i + 4 <= bytes.length; i++) if (sig.every((b, k) => bytes[i + k] === b)) return i;
  throw new Error('signature not found');
}

describe('fflate sanity', () => {
  it('inflates fflate one-shot output too', async () => {
    expect(deflateSync(new Uint8Array(10)).length).toBeGreaterThan(0);
  });
});
