/**
 * Conversions stream tensors in chunks: from a checkpoint to .npz, .safetensors, checkpoint,
 * .h5, a .npy folder and one .npy, and from a deflated .npz, no fixed-size tensor is ever read whole (the reader's read() refuses), values and casts
 * across chunk boundaries come out right, and a CRC-32C mismatch found after the last chunk
 * aborts the output: no file at the target, no temporary file beside it.
 */
import { openSync, readdirSync, writeSync, closeSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CHUNK_BYTES, ChecksumMismatchError, makeTensor, toFloat64, type Tensor, type TensorReader } from '@tfweights/core';
import { AtomicFileSink } from '@tfweights/core/node';
import { writeCheckpoint } from '@tfweights/checkpoint/node';
import { writeNpz } from '@tfweights/npy/node';
import { tempDir } from '@tfweights/testkit';
import { convertReader, defaultRegistry, diffReaders } from '../src/cli-entry.js';

const tmp = tempDir('tfw-chunked-');
afterAll(() => tmp.cleanup());

// 20 MiB + a few elements: three chunks, the last one short.
const N = 5 * 1024 * 1024 + 3;
const big = Float32Array.from({ length: N }, (_, i) => Math.sin(i) * 3);
const tensors: Tensor[] = [
  makeTensor('dense/kernel', 'float32', [N], new Uint8Array(big.buffer)),
  makeTensor('dense/bias', 'float32', [3], new Uint8Array(Float32Array.of(1, 2, 3).buffer)),
  makeTensor('step', 'int64', [], new Uint8Array(BigInt64Array.of(7n).buffer)),
];

async function checkpointAt(name: string): Promise<string> {
  const prefix = join(tmp.path, name, 'ckpt');
  await writeCheckpoint(prefix, tensors);
  return prefix;
}

/** The reader, with read() refused for tensors above one chunk: only readChunked may serve them. */
function streamingOnly(r: TensorReader): TensorReader {
  return new Proxy(r, {
    get(target, prop, receiver) {
      if (prop === 'read') {
        return async (key: string) => {
          if ((target.list().find((t) => t.key === key)?.byteLength ?? 0) > CHUNK_BYTES) throw new Error(`read('${key}') called: the tensor was not streamed`);
          return target.read(key);
        };
      }
      if (prop === 'tensors') return async function* () { throw new Error('tensors() called: not streamed'); };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const registry = defaultRegistry();

describe('chunked conversions', () => {
  for (const [out, to] of [['out.npz', 'npz'], ['out.safetensors', 'safetensors'], ['ck2/ckpt', 'checkpoint'], ['out.h5', 'keras-h5']] as const) {
    it(`checkpoint → ${to} streams every fixed-size tensor and keeps the values`, async () => {
      const prefix = await checkpointAt(`in-${to}`);
      const reader = await registry.open(prefix);
      const target = join(tmp.path, `${to}-${out}`);
      try {
        await convertReader(registry, streamingOnly(reader), target, { to, ...(to === 'checkpoint' ? { extra: { style: 'tf1' } } : {}) });
      } finally {
        await reader.close();
      }
      const back = await registry.open(target);
      try {
        const byName = new Map(back.list().map((t) => [t.name.replace(/:0$/, ''), t.key]));
        const key = [...byName.entries()].find(([n]) => n.endsWith('kernel'))![1];
        const k = await back.read(key);
        expect(k.byteLength).toBe(N * 4);
        expect(Buffer.from(k.data).equals(Buffer.from(big.buffer))).toBe(true);
      } finally {
        await back.close();
      }
    });
  }

  it('checkpoint → .npy folder and one .npy stream; a deflated .npz input streams too', async () => {
    const prefix = await checkpointAt('in-npy');
    const reader = await registry.open(prefix);
    const folder = join(tmp.path, 'npy-folder');
    const one = join(tmp.path, 'one.npy');
    const compressed = join(tmp.path, 'compressed.npz');
    try {
      await convertReader(registry, streamingOnly(reader), folder, { to: 'npy' });
      await convertReader(registry, streamingOnly(reader), one, { include: ['dense/kernel'] });
    } finally {
      await reader.close();
    }
    await writeNpz(compressed, tensors, { compressed: true });
    const deflated = await registry.open(compressed);
    const fromDeflated = join(tmp.path, 'from-deflated.safetensors');
    try {
      await convertReader(registry, streamingOnly(deflated), fromDeflated, {});
    } finally {
      await deflated.close();
    }
    for (const [path, key] of [[folder, 'dense/kernel'], [one, 'one'], [fromDeflated, 'dense/kernel']] as const) {
      const back = await registry.open(path);
      try {
        const k = await back.read(back.list().find((t) => t.key === key || t.name === key)!.key);
        expect(Buffer.from(k.data).equals(Buffer.from(big.buffer)), path).toBe(true);
      } finally {
        await back.close();
      }
    }
  });

  it('writes behind (each chunk written while the next is checksummed) for checkpoint, safetensors, .npz and tfjs inputs, one write at a time for a cast', async () => {
    afterEach(() => vi.restoreAllMocks());
    const behind = vi.spyOn(AtomicFileSink.prototype, 'writeBehind');
    const prefix = await checkpointAt('in-behind');
    // The tfjs input (its writer takes whole tensors, so it is made outside the streaming proxy).
    const forTfjs = await registry.open(prefix);
    try {
      await convertReader(registry, forTfjs, join(tmp.path, 'behind-tfjs'), { to: 'tfjs', casts: new Map([['int64', 'int32']]) });
    } finally {
      await forTfjs.close();
    }
    const cases: [string, string, Record<string, unknown>, boolean][] = [
      [prefix, 'behind.npz', {}, true], [prefix, 'behind.safetensors', {}, true], [prefix, 'behind-ck/ckpt', { to: 'checkpoint' }, true],
      ['behind.safetensors', 'behind2.npz', {}, true], ['behind.npz', 'behind2.safetensors', {}, true],
      // tfjs: the kernel spans several 4 MiB shard files, each chunk read from every shard it touches.
      ['behind-tfjs', 'behind3.npz', {}, true],
      [prefix, 'behind-cast.npz', { casts: new Map([['float32', 'float64']]) }, false],
    ];
    for (const [input, out, opts, expected] of cases) {
      behind.mockClear();
      const reader = await registry.open(input === prefix ? prefix : join(tmp.path, input));
      try {
        await convertReader(registry, streamingOnly(reader), join(tmp.path, out), opts);
      } finally {
        await reader.close();
      }
      // The 20 MiB kernel: three chunks, each written behind, or none through a cast's one
      // buffer (the small tensors that pass uncast still may).
      const kernelChunks = behind.mock.calls.filter(([b]) => b.byteLength >= 1 << 20).length;
      expect(kernelChunks, `${input} → ${out}`).toBe(expected ? 3 : 0);
      const back = await registry.open(join(tmp.path, out));
      try {
        const key = back.list().find((t) => t.name.replace(/:0$/, '').endsWith('kernel'))!.key;
        const k = await back.read(key);
        if (expected) expect(Buffer.from(k.data).equals(Buffer.from(big.buffer)), out).toBe(true);
        else expect(toFloat64(k)[N - 1]).toBe(big[N - 1]);
      } finally {
        await back.close();
      }
    }
  });

  it('--cast float32:float64 across chunk boundaries', async () => {
    const prefix = await checkpointAt('in-cast');
    const reader = await registry.open(prefix);
    const target = join(tmp.path, 'cast.npz');
    try {
      await convertReader(registry, streamingOnly(reader), target, { casts: new Map([['float32', 'float64']]) });
    } finally {
      await reader.close();
    }
    const back = await registry.open(target);
    const k = await back.read('dense/kernel');
    await back.close();
    expect(k.dtype).toBe('float64');
    const got = toFloat64(k);
    expect(got.length).toBe(N);
    for (const i of [0, 1, 2 * 1024 * 1024 - 1, 2 * 1024 * 1024, N - 1]) expect(got[i]).toBe(big[i]);
  });

  it('a CRC-32C mismatch in the last chunk aborts the output and leaves nothing behind', async () => {
    const prefix = await checkpointAt('in-bad');
    // Flip a byte near the end of the big tensor (its first entry in the data file).
    const fd = openSync(`${prefix}.data-00000-of-00001`, 'r+');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, N * 4 - 10);
    closeSync(fd);
    // The folder exists beforehand (a writer removes a folder it made itself on abort).
    mkdirSync(join(tmp.path, 'outs'), { recursive: true });
    for (const out of ['bad.npz', 'bad.safetensors', 'bad.h5']) {
      const reader = await registry.open(prefix);
      const target = join(tmp.path, 'outs', out);
      try {
        await expect(convertReader(registry, streamingOnly(reader), target, {})).rejects.toBeInstanceOf(ChecksumMismatchError);
      } finally {
        await reader.close();
      }
      expect(existsSync(target), out).toBe(false);
      expect(readdirSync(join(tmp.path, 'outs')).filter((f) => f.includes(out)), out).toEqual([]);
    }
  });

  it('diff compares large tensors chunk by chunk (equal, then one value changed)', async () => {
    const prefix = await checkpointAt('in-diff');
    const a = streamingOnly(await registry.open(prefix));
    const changed = big.slice();
    changed[N - 2] = big[N - 2]! + 1;
    const other = join(tmp.path, 'in-diff-b', 'ckpt');
    await writeCheckpoint(other, [makeTensor('dense/kernel', 'float32', [N], new Uint8Array(changed.buffer)), ...tensors.slice(1)]);
    const b = streamingOnly(await registry.open(other));
    const same = streamingOnly(await registry.open(prefix));
    try {
      expect((await diffReaders(a, same)).equal).toBe(true);
      const d = await diffReaders(a, b);
      const k = d.pairs.find((p) => p.a === 'dense/kernel')!;
      expect(k).toMatchObject({ equal: false, mismatched: 1, problem: 'values' });
      expect(k.maxAbs).toBeCloseTo(1, 5);
    } finally {
      await Promise.all([a.close(), b.close(), same.close()]);
    }
  });

  it('.h5 → .npz reads the large dataset in hyperslabs (readChunked), values kept', async () => {
    const prefix = await checkpointAt('in-h5');
    const h5 = join(tmp.path, 'via.h5');
    const r0 = await registry.open(prefix);
    await convertReader(registry, r0, h5, {});
    await r0.close();
    const reader = await registry.open(h5);
    const target = join(tmp.path, 'from-h5.npz');
    try {
      await convertReader(registry, streamingOnly(reader), target, {});
    } finally {
      await reader.close();
    }
    const back = await registry.open(target);
    const key = back.list().find((t) => t.byteLength === N * 4)!.key;
    const k = await back.read(key);
    await back.close();
    expect(Buffer.from(k.data).equals(Buffer.from(big.buffer))).toBe(true);
  });
});
