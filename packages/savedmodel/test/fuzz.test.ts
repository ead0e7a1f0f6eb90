import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openBundle } from '@tfweights/checkpoint';
import { isTfwError, MemorySource, type ByteSource } from '@tfweights/core';
import { fixture, fuzzCount, haveFixtures, mutateBytes, runFuzz, seededRandom } from '@tfweights/testkit';
import { decodeFingerprint, decodeSavedModel, SavedModelReader, selectMetaGraph } from '../src/index.js';
import { encode, shape } from './proto-build.js';

/** A source that refuses any single read larger than the file (the allocation bound). */
class BoundedSource implements ByteSource {
  private readonly inner: MemorySource;
  maxRead = 0;
  constructor(bytes: Uint8Array, readonly name = 'fuzz/saved_model.pb') {
    this.inner = new MemorySource(bytes, name);
  }
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number, what?: string): Promise<Uint8Array> {
    this.maxRead = Math.max(this.maxRead, length);
    return this.inner.read(offset, length, what);
  }
}

/** Decode and expect success or a typed error, never anything else; reads stay within the file. */
async function expectTypedOrOk(bytes: Uint8Array, label: string): Promise<'ok' | 'error'> {
  const src = new BoundedSource(bytes);
  try {
    const m = await decodeSavedModel(src);
    try {
      selectMetaGraph(m, undefined, src.name);
    } catch (err) {
      if (!isTfwError(err)) throw err;
    }
    return 'ok';
  } catch (err) {
    if (!isTfwError(err)) throw new Error(`${label}: untyped error ${String(err)}`);
    expect(err.message.length, label).toBeGreaterThan(10);
    return 'error';
  } finally {
    expect(src.maxRead, label).toBeLessThanOrEqual(Math.max(bytes.length, 0));
  }
}

function mutations(base: Uint8Array, seed: number, count: number): [string, Uint8Array][] {
  const rnd = seededRandom(seed);
  const out: [string, Uint8Array][] = [];
  for (let i = 0; i < count; i++) {
    const cut = Math.floor(rnd() * base.length);
    out.push([`truncated at ${cut}`, base.slice(0, cut)]);
    const flipped = base.slice();
    const at = Math.floor(rnd() * base.length);
    flipped[at]! ^= 1 << Math.floor(rnd() * 8);
    out.push([`bit flip at ${at}`, flipped]);
    // An absurd length: overwrite 5 bytes with a maximal uint32 varint.
    const huge = base.slice();
    const h = Math.floor(rnd() * Math.max(1, base.length - 5));
    huge.set([0xff, 0xff, 0xff, 0xff, 0x0f], h);
    out.push([`absurd length at ${h}`, huge]);
  }
  return out;
}

const handBuilt = encode([[1, 1], [2, [
  [1, [[4, 'serve'], [5, '2.14.0']]],
  [2, new Uint8Array(64)],
  [5, [[1, 'serving_default'], [2, [[1, [[1, 'x'], [2, [[1, 'x:0'], [2, 1], [3, shape([-1, 3])]]]]], [3, 'predict']]]]],
  [7, [[1, [[1, [[1, 1], [2, 'v']]]]], [1, [[7, [[1, 1], [2, shape([3])], [3, true], [6, 'v']]]]]]],
]]]);

describe('fuzzed saved_model.pb gives typed errors, no hang, no read beyond the file', () => {
  it('hand-built SavedModel: 600 mutations', async () => {
    let errors = 0;
    for (const [label, bytes] of mutations(handBuilt, 1, 200)) if ((await expectTypedOrOk(bytes, label)) === 'error') errors++;
    expect(errors).toBeGreaterThan(100); // the mutations really break things
  });

  it('every truncation of the hand-built file', async () => {
    for (let cut = 0; cut < handBuilt.length; cut++) {
      expect(await expectTypedOrOk(handBuilt.subarray(0, cut), `cut ${cut}`)).toBe('error');
    }
  });

  it('fingerprint.pb mutations', () => {
    const fp = encode([[6, [[1, 1]]], [5, 5n], [1, 1n]]);
    for (const [label, bytes] of mutations(fp, 3, 100)) {
      try {
        decodeFingerprint(bytes);
      } catch (err) {
        if (!isTfwError(err)) throw new Error(`${label}: untyped error ${String(err)}`);
      }
    }
  });
});

describe.skipIf(!haveFixtures())('fuzzed real saved_model.pb files', () => {
  for (const name of ['half-plus-two-tf1', 'half-plus-two-tf2', 'times-three-float', 'int64-multiply', 'tensorspace-lenet-tf1']) {
    it(`${name}: 300 mutations decode or fail typed`, async () => {
      const base = new Uint8Array(readFileSync(fixture('savedmodel', name, 'saved_model.pb')));
      for (const [label, bytes] of mutations(base, name.length, 100)) await expectTypedOrOk(bytes, `${name} ${label}`);
    });
  }

  it('half-plus-two-tf2: mutated saved_model.pb against the real bundle names variables or fails typed', async () => {
    const dir = fixture('savedmodel', 'half-plus-two-tf2');
    const index = readFileSync(`${dir}/variables/variables.index`);
    const data = readFileSync(`${dir}/variables/variables.data-00000-of-00001`);
    const base = new Uint8Array(readFileSync(`${dir}/saved_model.pb`));
    const bundle = await openBundle(new MemorySource(index, 'variables.index'), async () => new MemorySource(data, 'variables.data'));
    let ok = 0;
    for (const [label, bytes] of mutations(base, 11, 60)) {
      try {
        const model = await decodeSavedModel(bytes);
        const reader = await SavedModelReader.create({ source: 'fuzz', model, metaGraph: selectMetaGraph(model, undefined, 'fuzz'), bundle });
        reader.list();
        ok++;
      } catch (err) {
        if (!isTfwError(err)) throw new Error(`${label}: untyped error ${String(err)}`);
      }
    }
    expect(ok).toBeGreaterThan(0);
  });
});

describe('saved_model.pb campaign', () => {
  it(`${fuzzCount()} mutants of hand-built and real saved_model.pb files decode or fail typed`, async () => {
    const seeds = [handBuilt];
    if (haveFixtures()) for (const name of ['half-plus-two-tf1', 'half-plus-two-tf2', 'times-three-float', 'tensorspace-lenet-tf1']) seeds.push(new Uint8Array(readFileSync(fixture('savedmodel', name, 'saved_model.pb'))));
    const report = await runFuzz({
      format: 'saved_model.pb', seeds, seed: 11,
      mutate: (b, rand) => mutateBytes(b, rand),
      exercise: async (bytes) => {
        const src = new BoundedSource(bytes);
        try {
          selectMetaGraph(await decodeSavedModel(src), undefined, src.name);
        } finally {
          expect(src.maxRead).toBeLessThanOrEqual(bytes.length);
        }
      },
    });
    expect(report.typed).toBeGreaterThan(report.mutants / 20);
  }, 3_600_000);
});
