import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundle } from '@tfweights/checkpoint';
import { makeTensor, MemorySource, toFloat64 } from '@tfweights/core';
import { fixture, haveFixtures, tempDir } from '@tfweights/testkit';
import { decodeFingerprint, fingerprint64 } from '../src/index.js';
import { openSavedModel, writeSavedModel } from '../src/node/index.js';

const tmp = tempDir('tfw-savedmodel-');
afterAll(() => tmp.cleanup());
let n = 0;
const outPath = () => join(tmp.path, `out-${n++}`);

/** sha256 of every file under `dir`, by relative path. */
function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const f32 = (key: string, v: number) => makeTensor(key, 'float32', [], new Uint8Array(Float32Array.of(v).buffer));

/** Decompressed data blocks and entries of an index, to compare Snappy and plain indexes. */
async function indexFacts(path: string) {
  const r = await openBundle(new MemorySource(readFileSync(path), path), async () => { throw new Error('no data needed'); }, { objectGraph: false });
  return { blocks: r.layout.dataBlocks.map((b) => Buffer.from(b.contents).toString('hex')), compression: r.layout.dataBlocks.map((b) => b.compression), entries: r.entries() };
}

const SNAPPY = new Set(['half-plus-two-tf1', 'half-plus-two-tf2']);
const ALL = ['half-plus-two-tf1', 'half-plus-two-tf2', 'int64-multiply', 'tensorspace-lenet-tf1', 'times-three-float'];

describe.skipIf(!haveFixtures())('writeSavedModel with unchanged values reproduces the variables files', () => {
  for (const name of ALL) {
    it(`${name}`, async () => {
      const src = fixture('savedmodel', name);
      const before = treeHashes(src);
      const out = outPath();
      const res = await writeSavedModel(src, out, {});
      expect(res.replaced).toEqual([]);
      const after = treeHashes(out);
      expect(treeHashes(src)).toEqual(before); // input untouched
      // Everything but the index (and fingerprint.pb) is byte-identical, truth.json included.
      const expected = { ...before };
      const got = { ...after };
      for (const k of ['variables/variables.index', 'fingerprint.pb']) {
        delete expected[k];
        delete got[k];
      }
      expect(got).toEqual(expected);
      const srcIndex = join(src, 'variables/variables.index');
      const outIndex = join(out, 'variables/variables.index');
      if (SNAPPY.has(name)) {
        // The checkpoint writer stores blocks uncompressed: equal after decompressing.
        const [a, b] = [await indexFacts(srcIndex), await indexFacts(outIndex)];
        expect(a.compression).toEqual([1]);
        expect(b.compression).toEqual([0]);
        expect(b.blocks).toEqual(a.blocks);
      } else {
        expect(readFileSync(outIndex)).toEqual(readFileSync(srcIndex));
      }
      if (name === 'half-plus-two-tf2') {
        expect(res.fingerprint).toBe('updated');
        const [fa, fb] = [decodeFingerprint(readFileSync(join(src, 'fingerprint.pb'))), decodeFingerprint(readFileSync(join(out, 'fingerprint.pb')))];
        expect(fb.checkpointHash).toBe(fingerprint64(readFileSync(outIndex)));
        expect({ ...fb, checkpointHash: 0n }).toEqual({ ...fa, checkpointHash: 0n });
      } else {
        expect(res.fingerprint).toBe('absent');
      }
    });
  }
});

describe.skipIf(!haveFixtures())('writeSavedModel with new values', () => {
  it('half-plus-two-tf1: a = 1.5 changes only a\'s 4 data bytes and its CRC', async () => {
    const src = fixture('savedmodel', 'half-plus-two-tf1');
    const out = outPath();
    const res = await writeSavedModel(src, out, new Map([['a', f32('a', 1.5)]]));
    expect(res).toMatchObject({ replaced: ['a'], copied: 4 });
    const [d0, d1] = [readFileSync(join(src, 'variables/variables.data-00000-of-00001')), readFileSync(join(out, 'variables/variables.data-00000-of-00001'))];
    expect(d1.length).toBe(d0.length);
    expect(d1.subarray(4)).toEqual(d0.subarray(4));
    expect(Buffer.from(d1.subarray(0, 4))).toEqual(Buffer.from(Float32Array.of(1.5).buffer));
    const [i0, i1] = [await indexFacts(join(src, 'variables/variables.index')), await indexFacts(join(out, 'variables/variables.index'))];
    const diff = i1.entries.filter((e, k) => JSON.stringify({ ...e, keyBytes: 0 }) !== JSON.stringify({ ...i0.entries[k], keyBytes: 0 }));
    expect(diff.map((e) => e.key)).toEqual(['a']);
    expect({ ...diff[0], crc32c: 0 }).toEqual({ ...i0.entries[0], crc32c: 0 });
    const r = await openSavedModel(out);
    expect(Array.from(toFloat64(await r.read('a')))).toEqual([1.5]);
    expect(Array.from(toFloat64(await r.read('b')))).toEqual([2]);
    await r.close();
  });

  it('half-plus-two-tf2: a = 1.5 by SavedVariable name; the object graph is copied verbatim', async () => {
    const src = fixture('savedmodel', 'half-plus-two-tf2');
    const out = outPath();
    const res = await writeSavedModel(src, out, { a: f32('whatever', 1.5) });
    expect(res.replaced).toEqual(['a/.ATTRIBUTES/VARIABLE_VALUE']);
    const [d0, d1] = [readFileSync(join(src, 'variables/variables.data-00000-of-00001')), readFileSync(join(out, 'variables/variables.data-00000-of-00001'))];
    expect(d1.subarray(4)).toEqual(d0.subarray(4)); // b, c and the object graph string tensor
    expect(d1.subarray(0, 4)).not.toEqual(d0.subarray(0, 4));
    const r = await openSavedModel(out);
    expect(r.variables().map((v) => v.name)).toEqual(['a', 'b', 'c']);
    expect(Array.from(toFloat64(await r.read('a')))).toEqual([1.5]);
    expect(r.fingerprint?.checkpointHash).toBe(fingerprint64(readFileSync(join(out, 'variables/variables.index'))));
    await r.close();
  });

  it('keeps or drops fingerprint.pb on request', async () => {
    const src = fixture('savedmodel', 'half-plus-two-tf2');
    const kept = outPath();
    await writeSavedModel(src, kept, { a: f32('a', 1.5) }, { fingerprint: 'keep' });
    expect(readFileSync(join(kept, 'fingerprint.pb'))).toEqual(readFileSync(join(src, 'fingerprint.pb')));
    const dropped = outPath();
    expect((await writeSavedModel(src, dropped, {}, { fingerprint: 'drop' })).fingerprint).toBe('dropped');
    expect(existsSync(join(dropped, 'fingerprint.pb'))).toBe(false);
    expect(existsSync(join(dropped, 'assets/foo.txt'))).toBe(true);
  });

  it('int64-multiply: replaces by object path, leaves the other Variable alone', async () => {
    const out = outPath();
    await writeSavedModel(fixture('savedmodel', 'int64-multiply'), out, { v2: makeTensor('v2', 'int64', [], new Uint8Array(BigInt64Array.of(7n).buffer)) });
    const r = await openSavedModel(out);
    expect(Array.from(toFloat64(await r.read('v1')))).toEqual([3]);
    expect(Array.from(toFloat64(await r.read('v2')))).toEqual([7]);
    await r.close();
  });
});

describe.skipIf(!haveFixtures())('writeSavedModel refuses bad requests before writing anything', () => {
  const src = () => fixture('savedmodel', 'half-plus-two-tf2');

  it('lists every problem: wrong dtype, wrong shape, unknown name, the object graph', async () => {
    const out = outPath();
    const err = await writeSavedModel(src(), out, {
      a: makeTensor('a', 'float64', [], new Uint8Array(8)),
      b: makeTensor('b', 'float32', [1], new Uint8Array(4)),
      nope: f32('nope', 1),
      _CHECKPOINTABLE_OBJECT_GRAPH: f32('x', 1),
    }).then(() => { throw new Error("should have failed"); }, (e: unknown) => e as Error & { code: string });
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toMatch(/'a' \(a\/\.ATTRIBUTES\/VARIABLE_VALUE\) is float32 \[\], the new value is float64 \[\]/);
    expect(err.message).toMatch(/'b' .* is float32 \[\], the new value is float32 \[1\]/);
    expect(err.message).toMatch(/no tensor named 'nope'/);
    expect(err.message).toMatch(/object graph/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.path).filter((f) => f.startsWith('.'))).toEqual([]); // no temp left behind
  });

  it('refuses the input directory, a folder inside it, and an existing output', async () => {
    await expect(writeSavedModel(src(), src(), {})).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(writeSavedModel(src(), join(src(), 'variables', 'x'), {})).rejects.toMatchObject({ code: 'InvalidArgument' });
    const existing = outPath();
    mkdirSync(existing);
    writeFileSync(join(existing, 'keep.txt'), 'x');
    await expect(writeSavedModel(src(), existing, {})).rejects.toThrow(/already exists/);
    expect(readFileSync(join(existing, 'keep.txt'), 'utf8')).toBe('x');
    await writeSavedModel(src(), existing, {}, { overwrite: true });
    expect(existsSync(join(existing, 'keep.txt'))).toBe(false);
    expect(statSync(join(existing, 'saved_model.pb')).size).toBe(statSync(join(src(), 'saved_model.pb')).size);
  });
});
