// End-to-end, the outputs that go through h5wasm in the worker (legacy .h5, .keras,
// .weights.h5) and the checkpoint zip: each download is compared with what the tfweights CLI
// writes for the same conversion (same datasets, attributes, values, object graph), and Keras
// loads the Keras files. Then the File System Access path (a picked file, streamed), the
// SavedModel signatures, and an HDF5 file by URL read lazily by ranges.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, pythonWith, runPython, runTf, tfPython } from '@tfweights/testkit';
import { convert, defaultRegistry } from 'tfweights';
import { convertAndSave, convertIn, missing, opened, useHarness } from './harness.js';

const h = useHarness();
const tf = tfPython();
/** A fixture's path; '' when the suite is skipped (no fixtures): fixture() throws then. */
const fx = (...parts: string[]): string => (missing ? '' : fixture(...parts));
const MNIST = fx('keras-h5/tensorspace-lenet-full', 'mnist.h5');
const STUDENT = fx('keras3/student-adam', 'model.keras');
const CKPT = 'checkpoint/tf2-keras-lso-2shards';
const CKPT_FILES = ['checkpoint', 'ckpt.index', 'ckpt.data-00000-of-00002', 'ckpt.data-00001-of-00002'];
const NPZ = fx('npy/numpy-savez', 'py3-arr-savez.npz');

/** Page output id → the CLI's `--to` and the output name it writes. */
const CLI_OF: Record<string, { to: string; name: (stem: string) => string }> = {
  'keras-h5': { to: 'keras-h5', name: (s) => `${s}.h5` },
  keras3: { to: 'keras3', name: (s) => `${s}.weights.h5` },
  keras: { to: 'keras3', name: (s) => `${s}.keras` },
  checkpoint: { to: 'checkpoint', name: (s) => `${s}-ckpt/ckpt` },
};

/** Pairs (browser download, CLI output, kind) that the one Python check at the end compares. */
const pairs: [string, string, string][] = [];

async function cliConvert(input: string, id: string, stem: string, dropOptimizer: boolean): Promise<string> {
  const dir = join(h.tmp.path, 'cli');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, CLI_OF[id]!.name(stem));
  await convert(defaultRegistry(), input, out, { to: CLI_OF[id]!.to, dropOptimizer, force: true });
  return out;
}

function unzip(zip: string, name: string): string {
  const dir = join(h.tmp.path, name);
  execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, dir]);
  return dir;
}

describe.skipIf(missing)('the web app\'s Keras and checkpoint outputs in Chromium', () => {
  it('writes a Keras .h5 (optimizer dropped) as legacy .h5, .weights.h5, .keras and a TF2 checkpoint zip, as the CLI does', async () => {
    const page = await h.openPage();
    await page.setInputFiles('#pick-files', MNIST);
    await opened(page);
    await page.check('#drop-opt');
    for (const id of ['keras-h5', 'keras3', 'keras', 'checkpoint']) {
      const got = await convertAndSave(page, id, h.tmp.path);
      const want = await cliConvert(MNIST, id, 'mnist', true);
      if (id === 'checkpoint') pairs.push([join(unzip(got, 'mnist-ckpt-web'), 'mnist-ckpt/ckpt'), want, 'checkpoint']);
      else pairs.push([got, want, id === 'keras' ? 'keras' : 'h5']);
    }
    expect(pairs.map((p) => p[0].split('/').pop())).toEqual(['mnist.h5', 'mnist.weights.h5', 'mnist.keras', 'ckpt']);
    await page.close();
  });

  it('writes a TF2 checkpoint and an .npz (non-Keras inputs) as .weights.h5, legacy .h5 and .keras, and the checkpoint as .safetensors, as the CLI does', async () => {
    const page = await h.openPage();
    await page.setInputFiles('#pick-files', CKPT_FILES.map((f) => fixture(CKPT, f)));
    await opened(page);
    for (const id of ['keras3', 'keras-h5']) pairs.push([await convertAndSave(page, id, h.tmp.path), await cliConvert(fixture(CKPT, 'ckpt'), id, 'ckpt', false), 'h5']);
    // Loose files (no folder) name the outputs after the checkpoint, not "2 files".
    expect(pairs.slice(-2).map((p) => p[0].split('/').pop())).toEqual(['ckpt.weights.h5', 'ckpt.h5']);
    // Chunked end to end (the page's FileSource reads into the pipeline's buffers): byte-identical to the CLI's file.
    const st = await convertAndSave(page, 'safetensors', h.tmp.path);
    const cliSt = join(h.tmp.path, 'cli', 'ckpt.safetensors');
    await convert(defaultRegistry(), fixture(CKPT, 'ckpt'), cliSt, { force: true });
    expect(readFileSync(st).equals(readFileSync(cliSt))).toBe(true);
    const prev = await page.evaluate(() => document.body.dataset.opened ?? '');
    await page.setInputFiles('#pick-files', NPZ);
    await opened(page, prev);
    pairs.push([await convertAndSave(page, 'keras', h.tmp.path), await cliConvert(NPZ, 'keras', 'py3-arr-savez', false), 'keras']);
    await page.close();
  });

  it.skipIf(!tf)('h5py and TensorFlow find the browser\'s files equal to the CLI\'s; Keras loads the .keras and .h5 of a .keras model with equal predictions', async () => {
    expect(pairs.length).toBe(7);
    const page = await h.openPage();
    await page.setInputFiles('#pick-files', STUDENT);
    await opened(page);
    const outs = [];
    for (const id of ['keras', 'keras-h5', 'keras3']) outs.push(await convertAndSave(page, id, h.tmp.path));
    await page.close();
    const out = await runTf(tf!, `
import sys, json, zipfile, io, numpy as np, h5py, tensorflow as tf, keras
def walk(f):
    got = {}
    def attrs(o):
        # Values, and the padding of fixed-length strings (Keras writes NULLPAD; h5wasm alone would leave NULLTERM).
        out = {}
        for k, v in o.attrs.items():
            t = o.attrs.get_id(k).get_type()
            pad = t.get_strpad() if t.get_class() == h5py.h5t.STRING and not t.is_variable_str() else None
            out[k] = (v if isinstance(v, (bytes, str)) else np.asarray(v).tolist(), pad)
        return out
    def visit(name, o):
        got[name] = (attrs(o), o[()].tobytes() if isinstance(o, h5py.Dataset) else None, str(o.dtype) if isinstance(o, h5py.Dataset) else None)
    got['/'] = (attrs(f), None, None)
    f.visititems(visit)
    return got
def same_h5(a, b, label):
    wa, wb = walk(a), walk(b)
    assert sorted(wa) == sorted(wb), (label, sorted(set(wa) ^ set(wb)))
    for k in wa: assert wa[k] == wb[k], (label, k)
    return len(wa)
pairs = json.loads(sys.argv[1])
for got, want, kind in pairs:
    if kind == 'h5':
        n = same_h5(h5py.File(got, 'r'), h5py.File(want, 'r'), got)
    elif kind == 'keras':
        za, zb = zipfile.ZipFile(got), zipfile.ZipFile(want)
        assert za.namelist() == zb.namelist() == ['metadata.json', 'config.json', 'model.weights.h5'], (got, za.namelist())
        assert za.read('config.json') == zb.read('config.json'), got
        n = same_h5(h5py.File(io.BytesIO(za.read('model.weights.h5')), 'r'), h5py.File(io.BytesIO(zb.read('model.weights.h5')), 'r'), got)
    else:
        ra, rb = tf.train.load_checkpoint(got), tf.train.load_checkpoint(want)
        ma = ra.get_variable_to_shape_map()
        assert ma == rb.get_variable_to_shape_map(), got
        assert any(k.startswith('model/_functional/') for k in ma), sorted(ma)
        for k in ma: assert np.array_equal(ra.get_tensor(k), rb.get_tensor(k)), k
        n = len(ma)
    print(kind, n)
src, k3, legacy, weights = sys.argv[2:6]
ref = keras.saving.load_model(src)
x = np.random.default_rng(0).normal(size=(4,) + tuple(ref.inputs[0].shape[1:])).astype('float32')
want = ref.predict(x, verbose=0)
for p in (k3, legacy):
    m = keras.saving.load_model(p)
    assert np.allclose(m.predict(x, verbose=0), want, atol=0, rtol=0), p
m = keras.saving.load_model(src)
for w in m.weights: w.assign(np.zeros(w.shape, w.dtype))
m.load_weights(weights)
assert all(np.array_equal(a, b) for a, b in zip(ref.get_weights(), m.get_weights()))
print('keras ok', len(m.get_weights()))
`, [JSON.stringify(pairs), STUDENT, ...outs]);
    const lines = out.trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['h5', 'h5', 'keras', 'checkpoint', 'h5', 'h5', 'keras', 'keras']);
    expect(lines.at(-1)).toBe('keras ok 4');
  });
});

/**
 * Stands in for Chromium's save dialog (headless has none to click): `showSaveFilePicker`
 * answers a handle whose writable records every write, close and abort in `window.fsa`.
 */
function stubSavePicker(): void {
  const w = window as unknown as { fsa: { name?: string; writes: number[]; parts: Uint8Array[]; closed: boolean; aborted: boolean }; showSaveFilePicker: unknown };
  const fsa = { writes: [] as number[], parts: [] as Uint8Array[], closed: false, aborted: false } as typeof w.fsa;
  w.fsa = fsa;
  w.showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) => {
    fsa.name = suggestedName;
    return {
      createWritable: async () => ({
        write: async (b: Uint8Array) => {
          if (fsa.closed || fsa.aborted) throw new Error('write after close');
          fsa.parts.push(b.slice());
          fsa.writes.push(b.byteLength);
        },
        close: async () => {
          fsa.closed = true;
        },
        abort: async () => {
          fsa.aborted = true;
        },
      }),
      getFile: async () => new File(fsa.parts as BlobPart[], suggestedName),
    };
  };
}

describe.skipIf(missing)('the web app writing to a picked file (File System Access) in Chromium', () => {
  it('streams a conversion into the picked file in slices, closes it and offers no download; a failed one aborts it', async () => {
    const page = await h.openPage('', stubSavePicker);
    await page.setInputFiles('#pick-files', MNIST);
    await opened(page);
    // The same conversion into the origin-private file system, downloaded, is the reference.
    const ref = await convertAndSave(page, 'safetensors', h.tmp.path);
    await page.check('#to-disk');
    await convertIn(page, 'safetensors');
    const fsa = await page.evaluate(async () => {
      const f = (window as unknown as { fsa: { name: string; writes: number[]; parts: Uint8Array[]; closed: boolean; aborted: boolean } }).fsa;
      const bytes = new Uint8Array(await new Blob(f.parts as BlobPart[]).arrayBuffer());
      return { name: f.name, writes: f.writes, closed: f.closed, aborted: f.aborted, bytes: Array.from(bytes) };
    });
    expect(fsa).toMatchObject({ name: 'mnist.safetensors', closed: true, aborted: false });
    expect(fsa.writes.every((n) => n > 0 && n <= 8 * 2 ** 20)).toBe(true);
    expect(Buffer.from(fsa.bytes).equals(readFileSync(ref))).toBe(true);
    expect(await page.locator('#download').isVisible()).toBe(false);
    expect(await page.textContent('#convert-status')).toMatch(/^Wrote 41 tensor\(s\) \(0 left out\), /);

    await page.evaluate(() => Object.assign((window as unknown as { fsa: object }).fsa, { closed: false, aborted: false, writes: [], parts: [] }));
    await page.fill('#include', 'no-such-layer/*');
    await page.selectOption('#to', 'safetensors');
    await page.click('#convert-go');
    await page.waitForSelector('#convert-log .error');
    expect(await page.textContent('#convert-log .error')).toMatch(/--include 'no-such-layer\/\*' matched none of the/);
    expect(await page.evaluate(() => (window as unknown as { fsa: { closed: boolean; aborted: boolean } }).fsa)).toMatchObject({ closed: false, aborted: true });
    await page.close();
  });

  it('shows a SavedModel\'s signatures', async () => {
    const { openSavedModel } = await import('@tfweights/savedmodel/node');
    const { describeSignature } = await import('@tfweights/savedmodel');
    const dir = fixture('savedmodel/half-plus-two-tf2');
    const reader = await openSavedModel(dir);
    const want = reader.signatures().map(describeSignature);
    await reader.close();
    expect(want.some((s) => s.startsWith('serving_default('))).toBe(true);
    const page = await h.openPage();
    await page.setInputFiles('#pick-folder', dir);
    expect(await opened(page)).toBe('');
    expect(await page.locator('#signatures h3').textContent()).toBe('Signatures');
    expect(await page.locator('#signatures li').allTextContents()).toEqual(want);
    await page.close();
  });
});

describe.skipIf(missing || !pythonWith('numpy', 'h5py'))('HDF5 by URL in Chromium', () => {
  it('lists a 64 MiB .weights.h5 by ?url= reading far less than the file (ranged reads in the worker), then reads a tensor\'s values', async () => {
    const path = join(h.tmp.path, 'big.weights.h5');
    await runPython(pythonWith('numpy', 'h5py')!, `
import sys, numpy as np, h5py
with h5py.File(sys.argv[1], 'w') as f:
    for i in range(4):
        g = f.create_group(f'layers/dense_{i}/vars')
        g.attrs['name'] = f'dense_{i}'
        g.create_dataset('0', data=np.arange(4096 * 1024, dtype='<f4').reshape(4096, 1024) + i)
        g.create_dataset('1', data=np.zeros(1024, '<f4'))
`, [path]);
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(64 * 2 ** 20);
    const before = h.server.log.length;
    const page = await h.openPage(`?url=${encodeURIComponent(`${h.server.url}/gen/big.weights.h5`)}`);
    expect(await opened(page)).toBe('');
    expect(await page.locator('#tree tbody tr[data-name]').count()).toBe(8);
    const reads = () => h.server.log.slice(before).filter((r) => r.path === '/gen/big.weights.h5' && r.method === 'GET');
    const bytesOf = (rs: { range?: string }[]) => rs.reduce((s, r) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(r.range ?? '');
      expect(m, `a GET without a single range: ${r.range}`).not.toBeNull();
      return s + Number(m![2]) - Number(m![1]) + 1;
    }, 0);
    const listing = bytesOf(reads());
    expect(listing).toBeLessThan(size / 32);
    await page.locator('button.tensor-name', { hasText: 'dense_2' }).first().click();
    await page.waitForSelector('[data-first-values]');
    expect(await page.textContent('[data-first-values]')).toMatch(/^2, 3, 4, 5, /);
    // The 16 MiB dataset is read once (stats and first values share the streaming pass), not the file.
    expect(bytesOf(reads())).toBeLessThan(listing + 2 * 16 * 2 ** 20);
    await page.close();
  });
});
