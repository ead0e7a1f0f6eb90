/**
 * The time budget around libhdf5 (src/node/h5-walk.ts: no single libhdf5 call of the metadata
 * walk may run longer than the budget): a damaged global heap that sends libhdf5 into an endless loop — a free-space object (index 0) whose size is zero, so
 * `H5HG__cache_heap_deserialize` never advances; h5py hangs on the same bytes — ends in a
 * LimitExceededError naming the file once the budget is spent, and the next file still reads.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Crc32, makeTensor } from '@tfweights/core';
import { offsetsOf, tempDir } from '@tfweights/testkit';
import { H5_BUDGET_BASE_MS, H5_BUDGET_ENV, H5_BUDGET_PER_GIB_MS, h5BudgetMs } from '../src/node/h5-walk.js';
import { nodeH5Api, openKeras, writeKerasArchive, writeKerasH5 } from '../src/node/index.js';

const tmp = tempDir('tfw-keras-budget-');
afterAll(() => tmp.cleanup());
afterEach(() => {
  delete process.env[H5_BUDGET_ENV];
});

const t = (k: string, shape: number[]) => makeTensor(k, 'float32', shape, new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)).fill(7));
const model = { layers: [{ name: 'dense', className: 'Dense', weights: [{ name: 'kernel', tensor: t('dense/kernel', [5, 3]) }, { name: 'bias', tensor: t('dense/bias', [3]) }] }] };
const modelConfig = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 3 } }] } };

/**
 * Zero the size of every global heap collection's free-space object (HDF5 File Format
 * Specification, "Global Heap": "GCOL", version, 3 reserved, collection size (8); then objects:
 * index (2), reference count (2), reserved (4), size (8), data padded to 8 bytes).
 */
function loopingHeap(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  let patched = 0;
  for (const at of offsetsOf(out, 'GCOL')) {
    const end = at + Number(view.getBigUint64(at + 8, true));
    for (let p = at + 16; p + 16 <= end;) {
      const index = view.getUint16(p, true);
      const size = Number(view.getBigUint64(p + 8, true));
      if (index === 0) {
        view.setBigUint64(p + 8, 0n, true);
        patched++;
        break;
      }
      p += 16 + Math.ceil(size / 8) * 8;
    }
  }
  expect(patched).toBeGreaterThan(0);
  return out;
}

async function listCount(path: string, opts: { h5BudgetMs?: number } = {}): Promise<number> {
  const r = await openKeras(path, opts);
  try {
    return r.list().length;
  } finally {
    await r.close();
  }
}

describe('time budget around libhdf5', () => {
  it('a global heap that makes libhdf5 loop ends in LimitExceeded naming the file, and the next file still reads', async () => {
    const good = join(tmp.path, 'good.h5');
    await writeKerasH5(good, model, { modelConfig });
    const bad = join(tmp.path, 'looping-heap.h5');
    writeFileSync(bad, loopingHeap(readFileSync(good)));
    await expect(listCount(bad, { h5BudgetMs: 1500 })).rejects.toMatchObject({
      code: 'LimitExceeded', file: bad, message: expect.stringMatching(/libhdf5 ran for 1\.5 s inside one call reading the HDF5 metadata and was stopped \(most likely a damaged file/),
    });
    expect(await listCount(good)).toBe(2);
  });

  it('the budget comes from $TFW_H5_BUDGET_MS too, and guards the weights inside a .keras', async () => {
    const good = join(tmp.path, 'good.keras');
    await writeKerasArchive(good, model);
    // A stored member: the heap's bytes are the archive's bytes (the CRC is patched to match).
    const bytes = readFileSync(good);
    const inner = offsetsOf(bytes, new Uint8Array([0x89, 0x48, 0x44, 0x46]))[0]!;
    const end = offsetsOf(bytes, 'PK\x01\x02')[0]!;
    const looped = loopingHeap(bytes.subarray(inner, end));
    const patched = new Uint8Array(bytes);
    patched.set(looped, inner);
    const crc = new Crc32().update(looped).digest();
    for (const at of [...offsetsOf(patched, 'PK\x03\x04'), ...offsetsOf(patched, 'PK\x01\x02')]) {
      const name = (p: number, hdr: number, lenAt: number) => new TextDecoder().decode(patched.subarray(p + hdr, p + hdr + new DataView(patched.buffer).getUint16(p + lenAt, true)));
      const local = patched[at + 2] === 3;
      if ((local ? name(at, 30, 26) : name(at, 46, 28)) === 'model.weights.h5') new DataView(patched.buffer).setUint32(at + (local ? 14 : 16), crc, true);
    }
    const bad = join(tmp.path, 'looping-heap.keras');
    writeFileSync(bad, patched);
    process.env[H5_BUDGET_ENV] = '1500';
    await expect(listCount(bad)).rejects.toMatchObject({ code: 'LimitExceeded', file: `${bad}:model.weights.h5`, message: expect.stringContaining('ran for 1.5 s inside one call') });
    expect(await listCount(good)).toBe(2);
  });

  it('data reads are budgeted too: a looping heap under a string dataset only stops its read, with LimitExceeded naming the file and entry', async () => {
    // A Keras 3 layout whose only variable-length strings are a dataset's elements: the walk
    // never touches the global heap, the read of the strings does (and loops).
    const path = join(tmp.path, 'strings.weights.h5');
    const { h5 } = await nodeH5Api();
    const f = new h5.File(path, 'w');
    f.create_group('vars');
    f.create_group('layers');
    f.create_group('layers/text_vectorization');
    (f.get('layers/text_vectorization') as InstanceType<typeof h5.Group>).create_group('vars');
    (f.get('layers/text_vectorization/vars') as InstanceType<typeof h5.Group>).create_dataset({ name: '0', data: ['alpha', 'beta', 'gamma'] });
    f.close();
    writeFileSync(path, loopingHeap(readFileSync(path)));
    const r = await openKeras(path, { h5BudgetMs: 1500 });
    try {
      expect(r.list().map((t) => t.key)).toEqual(['layers/text_vectorization/vars/0']);
      await expect(r.read('layers/text_vectorization/vars/0')).rejects.toMatchObject({
        code: 'LimitExceeded', file: path, entry: 'layers/text_vectorization/vars/0',
        message: expect.stringMatching(/libhdf5 ran for 1\.5 s inside one call reading dataset 'layers\/text_vectorization\/vars\/0' and was stopped/),
      });
      // The worker that ran it is gone: this reader says so, typed; the next file reads.
      await expect(r.read('layers/text_vectorization/vars/0')).rejects.toMatchObject({ code: 'CorruptData', file: path });
    } finally {
      await r.close();
    }
    const good = join(tmp.path, 'good-after-data.h5');
    await writeKerasH5(good, model, { modelConfig });
    expect(await listCount(good)).toBe(2);
  });

  it('h5BudgetMs: the option, else the environment, else 20 s + 10 s per GiB; nonsense refused', () => {
    expect(h5BudgetMs(1000)).toBe(H5_BUDGET_BASE_MS);
    expect(h5BudgetMs(3 * 2 ** 30)).toBe(H5_BUDGET_BASE_MS + 3 * H5_BUDGET_PER_GIB_MS);
    process.env[H5_BUDGET_ENV] = '5000';
    expect(h5BudgetMs(1000)).toBe(5000);
    expect(h5BudgetMs(1000, 700)).toBe(700);
    process.env[H5_BUDGET_ENV] = 'soon';
    expect(() => h5BudgetMs(1000)).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringContaining(H5_BUDGET_ENV) }));
    expect(() => h5BudgetMs(1000, -1)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
