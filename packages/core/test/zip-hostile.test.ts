/** Hostile zips: unsafe member names, flipped bits in stored members, deflate bombs. */
import { describe, expect, it } from 'vitest';
import { MemorySink, MemorySource, openZip, ZipWriter } from '../src/index.js';

const enc = new TextEncoder();

async function zipOf(members: [string, Uint8Array, boolean?][]): Promise<Uint8Array> {
  const sink = new MemorySink('test.zip');
  const w = new ZipWriter(sink);
  for (const [name, data, compress] of members) await w.addBytes(name, data, { compress: !!compress });
  await w.finish();
  return sink.bytes();
}

/** Replace every occurrence of `from` by `to` (same length) in the archive bytes. */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const out = bytes.slice();
  const f = enc.encode(from);
  const t = enc.encode(to);
  for (let i = 0; i + f.length <= out.length; i++) if (f.every((b, k) => out[i + k] === b)) out.set(t, i);
  return out;
}

describe('zip member names', () => {
  it('the writer refuses names an extractor would write outside its folder', async () => {
    for (const name of ['../../x.npy', 'a/../../x.npy', '/etc/x.npy', 'C:x.npy', 'a\0b.npy', 'a\\b.npy', '']) {
      const w = new ZipWriter(new MemorySink('out.zip'));
      await expect(w.addBytes(name, new Uint8Array(1))).rejects.toMatchObject({ code: name === '' ? expect.any(String) : 'Refused', file: 'out.zip' });
    }
    const w = new ZipWriter(new MemorySink('ok.zip'));
    await w.addBytes('__proto__.npy', new Uint8Array(1));
    await w.addBytes('a/..b/c..npy', new Uint8Array(1));
    await w.finish();
  });
  it('the reader flags unsafe names and keeps safe ones unflagged', async () => {
    const bytes = patch(await zipOf([['aaaaaax.npy', new Uint8Array(2)], ['ok.npy', new Uint8Array(2)]]), 'aaaaaax.npy', '../../x.npy');
    const zip = await openZip(new MemorySource(bytes, 'evil.zip'));
    expect(zip.entries.map((e) => [e.name, e.unsafeName])).toEqual([['../../x.npy', "has a '..' segment"], ['ok.npy', undefined]]);
  });
});

describe('zip member integrity', () => {
  it('a flipped bit in a stored member is ChecksumMismatch, not different data', async () => {
    const data = enc.encode('0123456789abcdef'.repeat(8));
    const bytes = await zipOf([['m.bin', data]]);
    const at = bytes.indexOf(0x35); // a '5' inside the member data
    bytes[at] = bytes[at]! ^ 0x01;
    const zip = await openZip(new MemorySource(bytes, 'flip.zip'));
    await expect(zip.get('m.bin')!.bytes()).rejects.toMatchObject({ code: 'ChecksumMismatch', file: 'flip.zip', entry: 'm.bin' });
  });
  it('a member declaring 300 MiB from 400 KB is refused before inflating (Keras\'s 100:1 bomb rule)', async () => {
    // ~400 KB that deflate cannot shrink: 300 MiB is possible for deflate (1032:1) but over 100:1.
    let x = 2463534242;
    const noise = new Uint8Array(400_000).map(() => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x & 0xff));
    const bytes = await zipOf([['bomb.npy', noise, true]]);
    // Central directory: uncompressed size at offset 24 of the entry; make it 300 MiB.
    const cd = Buffer.from(bytes).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    new DataView(bytes.buffer).setUint32(cd + 24, 300 * 1024 * 1024, true);
    const zip = await openZip(new MemorySource(bytes, 'bomb.zip'));
    await expect(zip.get('bomb.npy')!.bytes()).rejects.toMatchObject({ code: 'LimitExceeded', entry: 'bomb.npy' });
  });
});

describe('error messages', () => {
  it('a 64 KiB key is not echoed whole', async () => {
    const { TensorNotFoundError, CorruptDataError } = await import('../src/index.js');
    const key = 'k'.repeat(65536);
    expect(new CorruptDataError('bad', { file: 'f', entry: key, found: key }).message.length).toBeLessThan(1000);
    expect(new TensorNotFoundError(key, ['a']).message.length).toBeLessThan(1000);
  });
});
