/**
 * Checkpoint → checkpoint in chunks computes CRC-32C once: the reader marks verified chunks
 * with the stored CRC (withVerifiedCrc32c) and the writer records it instead of checksumming
 * the same bytes again. The output is the input byte for byte; damaged input still fails
 * after its last chunk and leaves no output; chunks replaced by other bytes lose the mark.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError, crc32cPortable, makeTensor, useCrc32cImplementation, verifiedCrc32cOf, type ChunkedTensor,
} from '@tfweights/core';
import { tempDir } from '@tfweights/testkit';
import { openCheckpoint, writeCheckpoint } from '../src/node/index.js';

const tmp = tempDir('tfw-crc-reuse-');
afterAll(() => tmp.cleanup());
afterEach(() => useCrc32cImplementation(crc32cPortable, 'portable slicing-by-8'));

const SIZES = [96 * 1024, 40 * 1024 + 12, 64 * 1024];
const CHUNK = 4096;

async function source(name: string): Promise<string> {
  const prefix = join(tmp.path, name, 'in');
  const tensors = SIZES.map((bytes, i) => makeTensor(`layer_${i}/kernel`, 'float32', [bytes / 4], Uint8Array.from({ length: bytes }, (_, j) => (j * 13 + i * 7) & 0xff)));
  await writeCheckpoint(prefix, tensors);
  return prefix;
}

/** Copy `prefix` to `out` through chunked reads and writes; returns the bytes CRC-32C saw. */
async function copyChunked(prefix: string, out: string, map: (t: ChunkedTensor) => ChunkedTensor = (t) => t): Promise<number> {
  let crcBytes = 0;
  useCrc32cImplementation((data, crc) => {
    crcBytes += data.byteLength;
    return crc32cPortable(data, crc);
  }, 'counting');
  const r = await openCheckpoint(prefix);
  try {
    const keys = r.list().map((t) => t.key);
    async function* chunked(): AsyncIterable<ChunkedTensor> {
      for (const k of keys) yield map(await r.readChunked(k, { chunkBytes: CHUNK }));
    }
    await writeCheckpoint(out, chunked());
  } finally {
    await r.close();
  }
  return crcBytes;
}

const total = SIZES.reduce((a, b) => a + b, 0);

describe('checkpoint → checkpoint reuses the verified CRC-32C', () => {
  it('several chunks per tensor: the output is the input byte for byte, each byte checksummed once', async () => {
    const prefix = await source('same');
    const r = await openCheckpoint(prefix);
    const t = await r.readChunked('layer_0/kernel', { chunkBytes: CHUNK });
    expect(verifiedCrc32cOf(t)).toBe(r.entries().find((e) => e.key === 'layer_0/kernel')!.crc32c);
    // Not verified, nothing promised.
    expect(verifiedCrc32cOf(await r.readChunked('layer_0/kernel', { verifyChecksums: false }))).toBeUndefined();
    await r.close();
    const out = join(tmp.path, 'same', 'out');
    const seen = await copyChunked(prefix, out);
    // The read side's check, plus the small index blocks; twice the data without the reuse.
    expect(seen).toBeGreaterThanOrEqual(total);
    expect(seen).toBeLessThan(total * 1.2);
    for (const suffix of ['.index', '.data-00000-of-00001']) {
      expect(Buffer.compare(readFileSync(out + suffix), readFileSync(prefix + suffix)), suffix).toBe(0);
    }
  });

  it('damaged input: the copy fails with a checksum mismatch and leaves no output', async () => {
    const prefix = await source('bad');
    const data = readFileSync(`${prefix}.data-00000-of-00001`);
    const at = SIZES[0]! + 5000; // inside layer_1, in its second chunk
    data[at] = data[at]! ^ 0x40;
    writeFileSync(`${prefix}.data-00000-of-00001`, data);
    const out = join(tmp.path, 'bad', 'out');
    await expect(copyChunked(prefix, out)).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(existsSync(`${out}.index`)).toBe(false);
    expect(existsSync(`${out}.data-00000-of-00001`)).toBe(false);
  });

  it('chunks replaced by other bytes lose the mark: the writer checksums what it writes', async () => {
    const prefix = await source('changed');
    const out = join(tmp.path, 'changed', 'out');
    const flipped = (t: ChunkedTensor): ChunkedTensor => ({
      ...t,
      chunks: async function* () {
        for await (const c of t.chunks()) yield c.map((b) => b ^ 0xff);
      },
    });
    await copyChunked(prefix, out, flipped);
    const r = await openCheckpoint(out);
    // A wrong CRC in the index would fail this verified read.
    const back = await r.read('layer_1/kernel');
    expect(back.data[0]).toBe((7 & 0xff) ^ 0xff);
    await r.close();
  });
});
