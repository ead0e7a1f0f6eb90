/**
 * SavedModel inputs stream: readChunked hands out the variables bundle's bytes in chunks (the
 * checkpoint reader's, CRC-32C on the fly), the same bytes as a whole read, under the
 * SavedModel's own names; a damaged byte throws after the last chunk.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError } from '@tfweights/core';
import { collectChunks, fixture, haveFixtures, tempDir } from '@tfweights/testkit';
import { openSavedModel } from '../src/node/index.js';

const tmp = tempDir('tfw-savedmodel-chunked-');
afterAll(() => tmp.cleanup());


describe.skipIf(!haveFixtures())('SavedModel readChunked (real TF-written SavedModel)', () => {
  it('streams every variable in small chunks, equal to the whole read, with the SavedModel names', async () => {
    const r = await openSavedModel(fixture('savedmodel/tensorspace-lenet-tf1'));
    try {
      let several = 0;
      for (const info of r.list()) {
        if (info.dtype === 'string') continue;
        const whole = await r.read(info.key);
        const c = await r.readChunked(info.key, { chunkBytes: 4096 });
        expect(c.name).toBe(whole.name);
        expect(c.byteLength).toBe(whole.data.byteLength);
        const got = await collectChunks(c.chunks());
        expect(got.bytes).toEqual(whole.data);
        expect(got.n).toBe(Math.max(1, Math.ceil(whole.data.byteLength / 4096)));
        if (got.n > 1) several++;
      }
      expect(several).toBeGreaterThan(1);
    } finally {
      await r.close();
    }
  });

  it('a damaged data byte throws the checksum error after the last chunk', async () => {
    const dir = join(tmp.path, 'damaged');
    cpSync(fixture('savedmodel/tensorspace-lenet-tf1'), dir, { recursive: true });
    const r0 = await openSavedModel(dir);
    const biggest = [...r0.list()].sort((a, b) => b.byteLength - a.byteLength)[0]!;
    await r0.close();
    const data = join(dir, 'variables/variables.data-00000-of-00001');
    const bytes = readFileSync(data);
    // Flip a byte inside the largest tensor: find where its bytes sit by reading it whole first.
    const r1 = await openSavedModel(dir);
    const whole = (await r1.read(biggest.key)).data;
    await r1.close();
    const at = Buffer.from(bytes).indexOf(Buffer.from(whole.subarray(0, 32)));
    expect(at).toBeGreaterThanOrEqual(0);
    bytes[at + 40]! ^= 0xff;
    writeFileSync(data, bytes);
    const r = await openSavedModel(dir);
    try {
      const c = await r.readChunked(biggest.key, { chunkBytes: 256 });
      let seen = 0;
      await expect((async () => { for await (const x of c.chunks()) seen += x.byteLength; })()).rejects.toBeInstanceOf(ChecksumMismatchError);
      expect(seen).toBe(biggest.byteLength);
    } finally {
      await r.close();
    }
  });
});
