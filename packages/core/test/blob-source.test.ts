import { describe, expect, it } from 'vitest';
import { BlobSource, CorruptDataError, IoError, sniffInputOf } from '../src/index.js';

const bytes = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);

describe('BlobSource', () => {
  it('reads ranges of a File by slicing, with the file name in errors', async () => {
    const src = new BlobSource(new File([bytes], 'weights.npy'));
    expect(src.name).toBe('weights.npy');
    expect(src.size).toBe(5000);
    expect(Array.from(await src.read(4000, 3))).toEqual([bytes[4000], bytes[4001], bytes[4002]]);
    expect((await src.read(10, 0)).byteLength).toBe(0);
    await expect(src.read(4990, 20, 'tensor data')).rejects.toThrow(/weights\.npy, offset 4990: tensor data runs past the end/);
    await expect(src.read(-1, 2)).rejects.toBeInstanceOf(CorruptDataError);
    expect((await sniffInputOf(src)).size).toBe(5000);
  });

  it('reads only the requested slice, never the whole blob', async () => {
    const real = new Blob([bytes]);
    const sliced: [number, number][] = [];
    const spy = { size: real.size, slice: (a: number, b: number) => (sliced.push([a, b]), real.slice(a, b)) } as unknown as Blob;
    const src = new BlobSource(spy, 'big.bin');
    await src.read(1234, 100);
    expect(sliced).toEqual([[1234, 1334]]);
  });

  it('turns a failing read (file changed since picked) into an IoError naming the file', async () => {
    const broken = { size: 10, slice: () => ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) }) } as unknown as Blob;
    const err = await new BlobSource(broken, 'gone.h5').read(0, 4, 'header').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect(String(err)).toMatch(/gone\.h5.*header/);
  });
});
