/**
 * What a conversion does with tensors the output cannot hold: strings, complex numbers and
 * DT_VARIANT are planned as left out with the reason (never a stop halfway), bfloat16 into NumPy
 * is widened exactly to float32 (or stored raw, or refused, on request), a lookup table's keys
 * and values keep distinct names, and unreadable `.npz` members are reported, not lost.
 * Outputs are read back with NumPy and h5py (Debian's python3).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesOf, makeStringTensor, makeTensor, type Tensor } from '@tfweights/core';
import { writeCheckpoint } from '@tfweights/checkpoint/node';
import { pythonWith, runPython, tempDir, tfCorpus, tfPython } from '@tfweights/testkit';
import { open, refusedEntries, save, TensorSet } from '../src/node.js';

const py = pythonWith('numpy', 'h5py');
const dir = tempDir('tfw-left-out-');
afterAll(dir.cleanup);

const f32 = (key: string, values: number[]): Tensor => makeTensor(key, 'float32', [values.length], bytesOf(Float32Array.from(values)));
/** bfloat16 bits of 1.0, -2.0, 0.1015625 and the largest finite bfloat16. */
const BF16_BITS = [0x3f80, 0xc000, 0x3dd0, 0x7f7f];
const bf16 = makeTensor('norm/scale', 'bfloat16', [4], bytesOf(Uint16Array.from(BF16_BITS)));

function mixed(): Tensor[] {
  return [
    f32('dense/kernel', [1, 2, 3]),
    makeStringTensor('vocab', [2], ['a', 'grüße']),
    makeTensor('c64', 'complex64', [1], bytesOf(Float32Array.from([1, -2]))),
    makeTensor('c128', 'complex128', [1], bytesOf(Float64Array.from([0.5, 3]))),
    { key: 'iterator/ITERATOR_STATE', name: 'iterator/ITERATOR_STATE', dtype: 'variant', shape: [1], byteLength: 3, data: new Uint8Array(0), strings: [new Uint8Array([1, 2, 3])] },
    bf16,
  ];
}

/** save() from a file opened here and closed after. */
async function saveFrom(path: string, out: string, opts: Parameters<typeof save>[2] = {}) {
  const src = await open(path);
  try {
    return await save(src, out, opts);
  } finally {
    await src.close();
  }
}

async function convertLogged(tensors: Tensor[], out: string, extra?: Record<string, string>) {
  const log: string[] = [];
  const result = await save(new TensorSet(tensors), out, { log: (l) => log.push(l), ...(extra ? { extra } : {}) });
  return { result, log, written: result.written.map((w) => w.name), skipped: result.skipped.map((s) => s.key) };
}

describe('tensors the output cannot hold are left out with the reason', () => {
  it('.safetensors: strings, complex128 and variants left out; complex64 and bfloat16 kept', async () => {
    const out = join(dir.path, 'mixed.safetensors');
    const r = await convertLogged(mixed(), out);
    expect(r.written).toEqual(['dense/kernel', 'c64', 'norm/scale']);
    expect(r.skipped.sort()).toEqual(['c128', 'iterator/ITERATOR_STATE', 'vocab']);
    expect(r.log).toContain('left out 1 tensor(s): safetensors holds numeric tensors only, not strings: vocab');
    expect(r.log).toContain('left out 1 tensor(s): safetensors has no complex128 dtype: c128');
    expect(r.log.some((l) => /DT_VARIANT .* only a TensorFlow checkpoint can hold: iterator\/ITERATOR_STATE/.test(l))).toBe(true);
    const back = await open(out);
    expect(back.list().map((t) => [t.key, t.dtype])).toEqual([['c64', 'complex64'], ['dense/kernel', 'float32'], ['norm/scale', 'bfloat16']]);
    await back.close();
  });

  it.skipIf(!py)('.h5 and .weights.h5: strings and complex left out, the rest read back by h5py', async () => {
    for (const name of ['mixed.h5', 'mixed.weights.h5']) {
      const out = join(dir.path, name);
      const r = await convertLogged(mixed(), out);
      expect([name, r.written]).toEqual([name, ['dense/kernel', 'norm/scale']]);
      expect([name, r.skipped.sort()]).toEqual([name, ['c128', 'c64', 'iterator/ITERATOR_STATE', 'vocab']]);
      expect(r.log).toContain('left out 1 tensor(s): a Keras weights file holds no complex tensors (complex64): c64');
      expect(r.log).toContain('left out 1 tensor(s): a Keras weights file holds numeric weights only, not strings: vocab');
      const found = (await runPython(py!, `
import sys, h5py
f = h5py.File(sys.argv[1], "r")
names = []
f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
print(len(names))
`, [out])).trim();
      expect([name, found]).toEqual([name, '2']);
    }
  });

  it.skipIf(!py)('.npz: variants left out; bfloat16 widened exactly to float32 by default and said so', async () => {
    const out = join(dir.path, 'mixed.npz');
    const r = await convertLogged(mixed(), out);
    expect(r.written).toEqual(['dense/kernel', 'vocab', 'c64', 'c128', 'norm/scale']);
    expect(r.result.written.find((w) => w.name === 'norm/scale')!.dtype).toBe('float32');
    expect(r.skipped).toEqual(['iterator/ITERATOR_STATE']);
    expect(r.log.some((l) => l.startsWith('widened 1 bfloat16 tensor(s) exactly to float32: NumPy has no bfloat16') && l.endsWith(': norm/scale'))).toBe(true);
    const got = JSON.parse(await runPython(py!, `
import sys, json, numpy as np
d = np.load(sys.argv[1])
print(json.dumps({k: [str(d[k].dtype), d[k].tolist() if d[k].dtype.kind != "c" else [str(x) for x in d[k]]] for k in d.files}))
`, [out]));
    // Each bfloat16 value is the float32 with the same upper 16 bits: exact.
    const exact = BF16_BITS.map((b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]!);
    expect(got['norm/scale']).toEqual(['float32', exact]);
    expect(got.vocab).toEqual(['<U5', ['a', 'grüße']]);
    expect(got.c128).toEqual(['complex128', ['(0.5+3j)']]);
  });

  it.skipIf(!py)('--bfloat16 raw stores |V2 holding the same bits; refuse stops and writes nothing', async () => {
    const raw = join(dir.path, 'raw.npz');
    const r = await convertLogged([bf16], raw, { bfloat16: 'raw' });
    expect(r.result.written[0]!.dtype).toBe('bfloat16');
    const bits = (await runPython(py!, `
import sys, numpy as np
a = np.load(sys.argv[1])["norm/scale"]
print(a.dtype.str, a.view("<u2").tolist())
`, [raw])).trim();
    expect(bits).toBe(`|V2 [${BF16_BITS.join(', ')}]`);
    const refused = join(dir.path, 'refused.npz');
    await expect(convertLogged([bf16], refused, { bfloat16: 'refuse' })).rejects.toThrow(/NumPy has no bfloat16/);
    expect(existsSync(refused)).toBe(false);
  });
});

describe.skipIf(!tfPython())('a TF-written checkpoint holding a tf.data iterator (DT_VARIANT)', () => {
  it('→ checkpoint keeps it byte for byte; → .npz leaves it out with the reason', async () => {
    const prefix = join(tfCorpus('ckpt-data-iterator')!, 'iter', 'ckpt-1');
    const out = join(dir.path, 'iter-copy', 'ckpt-1');
    const r = await saveFrom(prefix, out, { format: 'checkpoint' });
    expect(r.written.map((w) => w.key)).toContain('iterator/.ATTRIBUTES/ITERATOR_STATE');
    for (const f of ['.index', '.data-00000-of-00001']) expect([f, Buffer.compare(readFileSync(out + f), readFileSync(prefix + f))]).toEqual([f, 0]);
    const log: string[] = [];
    const n = await saveFrom(prefix, join(dir.path, 'iter.npz'), { log: (l) => log.push(l) });
    expect(n.written.map((w) => w.name)).toEqual(['w']);
    expect(log).toContain('left out 1 tensor(s): DT_VARIANT holds serialized TensorFlow object state (e.g. a tf.data iterator position) that only a TensorFlow checkpoint can hold: iterator/ITERATOR_STATE');
  });
});

describe('lookup tables keep distinct names for keys and values', () => {
  const table = async (prefix: string) => writeCheckpoint(prefix, [
    makeStringTensor('words/.ATTRIBUTES/table-keys', [2], ['alpha', 'beta']),
    makeTensor('words/.ATTRIBUTES/table-values', 'int64', [2], bytesOf(BigInt64Array.from([1n, 2n]))),
    makeTensor('ids/.ATTRIBUTES/table-keys', 'int64', [1], bytesOf(BigInt64Array.from([10n]))),
    makeTensor('ids/.ATTRIBUTES/table-values', 'float32', [1], bytesOf(Float32Array.from([1.5]))),
  ]);

  it.skipIf(!py)('a checkpoint table → .npz and .safetensors: both tensors of each table survive', async () => {
    const prefix = join(dir.path, 'tables', 'ckpt');
    await table(prefix);
    const npz = join(dir.path, 'tables.npz');
    const r = await saveFrom(prefix, npz);
    expect(r.written.map((w) => w.name).sort()).toEqual(['ids/table-keys', 'ids/table-values', 'words/table-keys', 'words/table-values']);
    const files = (await runPython(py!, 'import sys, numpy as np; d = np.load(sys.argv[1]); print(sorted(d.files), d["words/table-keys"].tolist())', [npz])).trim();
    expect(files).toBe("['ids/table-keys', 'ids/table-values', 'words/table-keys', 'words/table-values'] ['alpha', 'beta']");
    const st = join(dir.path, 'tables.safetensors');
    const s = await saveFrom(prefix, st);
    expect(s.written.map((w) => w.name).sort()).toEqual(['ids/table-keys', 'ids/table-values', 'words/table-values']);
    expect(s.skipped.map((t) => t.name)).toEqual(['words/table-keys']);
  });

  it.skipIf(!py || !tfPython())('the TF-written MutableHashTable and DenseHashTable checkpoint → .npz', async () => {
    const src = await open(join(tfCorpus('ckpt-lookup-table')!, 'tables', 'ckpt-1'));
    const npz = join(dir.path, 'tf-tables.npz');
    await save(src, npz);
    await src.close();
    const files = (await runPython(py!, 'import sys, numpy as np; d = np.load(sys.argv[1]); print(sorted(d.files), sorted(d["words/table-keys"].tolist()), d["dense/table-values"].shape)', [npz])).trim();
    expect(files).toBe("['dense/table-keys', 'dense/table-values', 'w', 'words/table-keys', 'words/table-values'] ['alpha', 'beta', 'grüße'] (8, 2)");
  });
});

describe.skipIf(!py)('.npz members holding pickled object arrays', () => {
  const make = async () => {
    await runPython(py!, `
import sys, numpy as np
np.savez(sys.argv[1] + "/objects.npz", a=np.array([{"x": 1}], dtype=object))
np.savez(sys.argv[1] + "/mixed.npz", a=np.array([{"x": 1}], dtype=object), w=np.arange(3, dtype=np.float32))
`, [dir.path]);
    return { objects: join(dir.path, 'objects.npz'), mixed: join(dir.path, 'mixed.npz') };
  };

  it('are reported as refused with the reason; nothing readable means no output and an error', async () => {
    const { objects, mixed: both } = await make();
    const r = await open(objects);
    expect(refusedEntries(r)).toEqual([{ key: 'a', why: "object arrays hold pickled Python objects; refused (never unpickled) (found descr '|O')" }]);
    await r.close();
    const out = join(dir.path, 'objects.safetensors');
    await expect(saveFrom(objects, out)).rejects.toThrow(/nothing to convert: every entry is refused \(a: object arrays hold pickled Python objects/);
    expect(existsSync(out)).toBe(false);
    const log: string[] = [];
    const res = await saveFrom(both, join(dir.path, 'objects-mixed.safetensors'), { log: (l) => log.push(l) });
    expect(res.written.map((w) => w.name)).toEqual(['w']);
    expect(log).toContain("left out 1 unreadable entry: object arrays hold pickled Python objects; refused (never unpickled) (found descr '|O'): a");
  });
});
