/**
 * Deflated `.npz` members (np.savez_compressed) stream: readChunked inflates as it reads, in
 * chunks of the asked size, with the member's CRC-32 checked after the last chunk and the
 * archive's deflate-bomb bounds applied before anything is inflated. Truth: NumPy writes the
 * archive; the chunks must equal the whole read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, LimitExceededError, MemorySource } from '@tfweights/core';
import { collectChunks, pythonWith, runPython, tempDir } from '@tfweights/testkit';
import { NpzReader } from '../src/index.js';

const python = pythonWith('numpy');
const tmp = tempDir('tfw-npz-deflated-');
afterAll(() => tmp.cleanup());


describe.skipIf(!python)('deflated .npz members stream (NumPy-written)', () => {
  let path = '';
  beforeAll(async () => {
    path = join(tmp.path, 'c.npz');
    await runPython(python!, [
      'import sys, numpy as np',
      'rs = np.random.RandomState(3)',
      "np.savez_compressed(sys.argv[1], w=rs.randn(300, 7).astype('<f4'), b=np.arange(1001, dtype='>i8'), z=np.zeros(50000, dtype='<f8'), s=np.float16(1.5))",
    ].join('\n'), [path]);
  });

  it('every member in 4 KiB chunks equals the whole read (big-endian swapped too)', async () => {
    const r = await NpzReader.open(new MemorySource(readFileSync(path), path));
    let several = 0;
    for (const info of r.list()) {
      const whole = await r.read(info.key);
      const got = await collectChunks((await r.readChunked(info.key, { chunkBytes: 4096 })).chunks());
      expect(got.bytes, info.key).toEqual(whole.data);
      expect(got.n, info.key).toBe(Math.max(1, Math.ceil(whole.data.byteLength / 4096)));
      if (got.n > 1) several++;
    }
    expect(several).toBe(3);
  });

  it('a damaged CRC throws after the last chunk; a member over the size limit is refused before inflating', async () => {
    const bytes = new Uint8Array(readFileSync(path));
    // Central directory entry of 'w.npy': its CRC-32 is at offset 16 of the PK\x01\x02 record.
    const buf = Buffer.from(bytes);
    let at = buf.indexOf('PK\x01\x02', 0, 'latin1');
    while (at >= 0 && buf.toString('latin1', at + 46, at + 51) !== 'w.npy') at = buf.indexOf('PK\x01\x02', at + 4, 'latin1');
    expect(at).toBeGreaterThanOrEqual(0);
    bytes[at + 16]! ^= 0x01;
    const damaged = join(tmp.path, 'damaged.npz');
    writeFileSync(damaged, bytes);
    const r = await NpzReader.open(new MemorySource(readFileSync(damaged), damaged));
    const t = await r.readChunked('w', { chunkBytes: 1024 });
    let seen = 0;
    await expect((async () => { for await (const c of t.chunks()) seen += c.byteLength; })()).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(seen).toBe(300 * 7 * 4);
    const small = await NpzReader.open(new MemorySource(readFileSync(path), path), { maxInflatedSize: 100_000 });
    const z = await small.readChunked('z', { chunkBytes: 1024 });
    await expect((async () => { for await (const _ of z.chunks()) { /* nothing comes */ } })()).rejects.toBeInstanceOf(LimitExceededError);
  });
});
