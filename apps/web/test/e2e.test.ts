// End-to-end: the built site (apps/web/dist) in Debian's Chromium, served with fixtures from a
// range-capable server on 127.0.0.1 (harness.ts). Every format opens by file input and by
// ?url=; names and shapes match truth.json; the histogram counts every value; diff pairs
// formats; converted downloads are read back by NumPy / h5py (Debian's python3). The Keras and
// checkpoint outputs, the picked-file path and signatures are in e2e-outputs.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fixture, loadTruth, pythonWith, runPython } from '@tfweights/testkit';
import { convertAndSave, missing, opened, useHarness } from './harness.js';
import { startServer } from './server.js';

interface Case {
  readonly title: string;
  readonly folder: string;
  /** Files for the file input (relative to the folder), or `dir` for the folder input. */
  readonly files?: readonly string[];
  readonly dir?: boolean;
  /** Path under the folder for ?url= (a file, a prefix, or '' for the folder itself). */
  readonly url: string;
  readonly format: string;
  /** Which truth.json entry (by `input`). */
  readonly truth: string;
}

const CASES: Case[] = [
  { title: '.npy', folder: 'npy/npyjs', files: ['65x65-int16.npy'], url: '65x65-int16.npy', format: 'npy', truth: '65x65-int16.npy' },
  { title: '.npz (deflated)', folder: 'npy/numpy-savez', files: ['py3-arr-savez-compressed.npz'], url: 'py3-arr-savez-compressed.npz', format: 'npz', truth: 'py3-arr-savez-compressed.npz' },
  { title: 'TF2 checkpoint, 2 shards', folder: 'checkpoint/tf2-keras-lso-2shards', files: ['checkpoint', 'ckpt.index', 'ckpt.data-00000-of-00002', 'ckpt.data-00001-of-00002'], url: 'ckpt', format: 'checkpoint', truth: 'ckpt' },
  { title: 'SavedModel folder', folder: 'savedmodel/half-plus-two-tf2', dir: true, url: '', format: 'savedmodel', truth: '.' },
  { title: 'tfjs folder', folder: 'tfjs/tensorspace-lenet-layers', dir: true, url: '', format: 'tfjs', truth: 'model.json' },
  { title: 'Keras legacy .h5', folder: 'keras-h5/tensorspace-lenet-full', files: ['mnist.h5'], url: 'mnist.h5', format: 'keras-h5', truth: 'mnist.h5' },
  { title: '.keras', folder: 'keras3/student-adam', files: ['model.keras'], url: 'model.keras', format: 'keras3', truth: 'model.keras' },
  { title: '.weights.h5 + config JSON', folder: 'keras3/diabetes-weights-h5', files: ['model.weights.h5', 'model.json'], url: 'model.weights.h5', format: 'keras3', truth: 'model.weights.h5' },
];

const h = useHarness();
const { openPage, tmp } = h;

/** key → shape text of every listed tensor. */
async function listed(page: Page): Promise<Map<string, string>> {
  const rows = await page.locator('#tree tbody tr[data-name]').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('button')!.getAttribute('data-key')!, tr.querySelector('.shape')!.textContent!]));
  return new Map(rows as [string, string][]);
}

function expectTruth(got: Map<string, string>, c: Case): void {
  const truth = loadTruth(c.folder).find((t) => t.input === c.truth)!;
  expect([...got.keys()].sort()).toEqual(truth.tensors.map((t) => t.key).sort());
  for (const t of truth.tensors) expect(got.get(t.key), t.key).toBe(`[${t.shape.join(', ')}]`);
}

describe.skipIf(missing)('the web app in Chromium', () => {

  for (const c of CASES) {
    it(`opens ${c.title} by file input`, async () => {
      const page = await openPage();
      const dir = fixture(c.folder);
      if (c.dir) await page.setInputFiles('#pick-folder', dir);
      else await page.setInputFiles('#pick-files', c.files!.map((f) => join(dir, f)));
      expect(await opened(page)).toBe('');
      expect(await page.textContent('[data-field="format"]')).toBe(c.format);
      expectTruth(await listed(page), c);
      await page.close();
    });

    it(`opens ${c.title} by ?url= with range reads`, async () => {
      const url = `${h.server.url}/fx/${c.folder}/${c.url}`;
      const before = h.server.log.length;
      const page = await openPage(`?url=${encodeURIComponent(url)}`);
      expect(await opened(page)).toBe('');
      expect(await page.textContent('[data-field="format"]')).toBe(c.format);
      if (c.format !== 'keras3' || c.files!.length === 1) expectTruth(await listed(page), c);
      // Every format is read by ranges, never whole (HDF5 too: the h5wasm worker's reads are ranged requests).
      const gets = h.server.log.slice(before).filter((r) => r.path.startsWith('/fx/') && r.method === 'GET');
      expect(gets.every((r) => r.range !== undefined)).toBe(true);
      await page.close();
    });
  }

  it('streams a histogram over every value, shows stats and first values; the filter and the optimizer toggle narrow the tree', async () => {
    const page = await openPage();
    await page.setInputFiles('#pick-files', fixture('npy/npyjs', '65x65-int16.npy'));
    await opened(page);
    await page.locator('button.tensor-name').first().click();
    await page.waitForSelector('svg.histogram');
    const counts = await page.locator('svg.histogram rect').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
    expect(counts).toHaveLength(40);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(65 * 65);
    expect(await page.textContent('[data-first-values]')).toMatch(/^-?\d+(, -?\d+){11}, …$/);

    // Wait for the checkpoint to replace the .npy (the page still says the .npy is open until then).
    const npyOpened = await page.evaluate(() => document.body.dataset.opened ?? '');
    await page.setInputFiles('#pick-files', fixture('checkpoint/tf2-keras-lso-2shards', 'ckpt.index'));
    // A missing shard is named: at open (when the object graph is read from it) or on the first read.
    let missingShard = await opened(page, npyOpened);
    if (missingShard === '') {
      await page.locator('button.tensor-name', { hasText: 'kernel' }).first().click();
      missingShard = (await page.locator('#tensor .error').textContent()) ?? '';
    }
    expect(missingShard).toMatch(/ckpt\.data-0000[01]-of-00002: no such file among the ones opened/);
    const prev = await page.evaluate(() => document.body.dataset.opened ?? '');
    await page.setInputFiles('#pick-files', ['ckpt.index', 'ckpt.data-00000-of-00002', 'ckpt.data-00001-of-00002'].map((f) => fixture('checkpoint/tf2-keras-lso-2shards', f)));
    expect(await opened(page, prev)).toBe('');
    const all = (await listed(page)).size;
    await page.check('#hide-optimizer');
    const noOpt = await listed(page);
    expect(noOpt.size).toBeLessThan(all);
    expect([...noOpt.keys()].some((k) => k.includes('OPTIMIZER_SLOT'))).toBe(false);
    await page.fill('#filter', 'kernel');
    expect([...(await listed(page)).keys()]).toEqual(['layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE']);
    await page.fill('#filter', 'layer_with_weights-0/b*');
    expect([...(await listed(page)).keys()]).toEqual(['layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE']);
    await page.close();
  });

  it('compares a Keras .h5 with the tfjs conversion of the same weights (equal), and with another model (different)', async () => {
    const page = await openPage();
    await page.setInputFiles('#pick-files', fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'));
    await opened(page);
    await page.setInputFiles('#pick-other-folder', fixture('tfjs/tensorspace-lenet-layers'));
    await page.waitForSelector('#diff [data-equal]');
    expect(await page.getAttribute('#diff [data-equal]', 'data-equal')).toBe('true');
    expect(await page.locator('#diff tbody tr').count()).toBe(10);
    await page.setInputFiles('#pick-other', fixture('keras3/student-adam', 'model.keras'));
    await page.waitForSelector('#diff [data-equal="false"]');
    await page.close();
  });

  it('shows the CLI\'s one-line errors for bad input, and explains a URL the server does not share (CORS)', async () => {
    writeFileSync(join(tmp.path, 'notes.txt'), 'just some text, not weights\n');
    const page = await openPage();
    await page.setInputFiles('#pick-files', join(tmp.path, 'notes.txt'));
    expect(await opened(page)).toBe('notes.txt: cannot read this: it is a text file');
    const other = await startServer({ '/': tmp.path });
    try {
      await page.fill('#url', `${other.url}/notes.txt`);
      await page.click('#url-form button');
      await page.waitForFunction(() => /CORS/.test(document.getElementById('error')!.textContent ?? ''));
      expect(await page.textContent('#error')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/notes\.txt: .* — the browser could not read this URL: .*CORS: it must send Access-Control-Allow-Origin/);
    } finally {
      await other.close();
    }
    await page.close();
  });

  it('opens a dropped file, and the drop zone opens the file picker from the keyboard', async () => {
    const page = await openPage();
    await page.evaluate(async (url) => {
      const bytes = await (await fetch(url)).arrayBuffer();
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], '10-float16.npy'));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, `${h.server.url}/fx/npy/npyjs/10-float16.npy`);
    expect(await opened(page)).toBe('');
    expect(await page.textContent('[data-field="source"]')).toBe('10-float16.npy');
    expect([...(await listed(page)).entries()]).toEqual([['10-float16', '[10]']]);
    // Enter on the focused drop zone asks the file input for its picker (the dialog itself is the browser's).
    await page.evaluate(() => document.getElementById('pick-files')!.addEventListener('click', (e) => {
      e.preventDefault();
      document.body.dataset.picker = 'asked';
    }));
    await page.focus('#drop');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.body.dataset.picker)).toBe('asked');
    await page.close();
  });

  it('works offline once loaded: the page and the h5wasm chunk come from the service worker cache', async () => {
    const page = await openPage();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready.then(() => false), null, { timeout: 20_000 }).catch(() => undefined);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    await page.setInputFiles('#pick-files', fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'));
    expect(await opened(page)).toBe('');
    await h.context.setOffline(true);
    try {
      await page.reload();
      await page.setInputFiles('#pick-files', fixture('keras3/student-adam', 'model.keras'));
      expect(await opened(page)).toBe('');
      expect(await page.textContent('[data-field="format"]')).toBe('keras3');
    } finally {
      await h.context.setOffline(false);
    }
    await page.close();
  });

  const py = pythonWith('numpy', 'h5py');
  const outputs = ['safetensors', 'npz', 'tfjs', 'checkpoint'] as const;
  const saved = new Map<string, string>();

  it.skipIf(!py)('converts a Keras .h5 (optimizer dropped) to .safetensors, .npz, a tfjs zip and a checkpoint zip, downloaded (the checkpoint is checked in e2e-outputs)', async () => {
    const page = await openPage();
    await page.setInputFiles('#pick-files', fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'));
    await opened(page);
    await page.check('#drop-opt');
    for (const to of outputs) saved.set(to, await convertAndSave(page, to, tmp.path));
    expect([...saved.values()].map((p) => p.split('/').pop())).toEqual(['mnist.safetensors', 'mnist.npz', 'mnist-tfjs.zip', 'mnist-ckpt.zip']);
    await page.close();
  });

  it.skipIf(!py)('NumPy and h5py read the downloads: same names, shapes and values as the .h5', async () => {
    expect(saved.size).toBe(4);
    const out = await runPython(py!, `
import sys, json, zipfile, io, struct, numpy as np, h5py
h5 = h5py.File(sys.argv[1], 'r')
def want(name):
    layer, w = name.split('/')
    return h5['model_weights'][layer][layer][w + ':0'][()]
def check(label, arrays):
    assert len(arrays) == 10, (label, sorted(arrays))
    for name, a in arrays.items():
        b = want(name)
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), (label, name)
    print(label, 'ok')
check('npz', dict(np.load(sys.argv[3])))
raw = open(sys.argv[2], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
hdr = json.loads(raw[8:8 + n]); hdr.pop('__metadata__', None)
check('safetensors', {k: np.frombuffer(raw[8 + n + v['data_offsets'][0]: 8 + n + v['data_offsets'][1]], dtype={'F32': '<f4'}[v['dtype']]).reshape(v['shape']) for k, v in hdr.items()})
z = zipfile.ZipFile(sys.argv[4])
model = json.loads(z.read('mnist-tfjs/model.json'))
arrays = {}
for g in model['weightsManifest']:
    data = b''.join(z.read('mnist-tfjs/' + p) for p in g['paths'])
    at = 0
    for w in g['weights']:
        size = int(np.prod(w['shape'])) * 4
        arrays[w['name']] = np.frombuffer(data[at:at + size], dtype='<f4').reshape(w['shape']); at += size
check('tfjs', arrays)
`, [fixture('keras-h5/tensorspace-lenet-full', 'mnist.h5'), saved.get('safetensors')!, saved.get('npz')!, saved.get('tfjs')!]);
    expect(out.trim().split('\n')).toEqual(['npz ok', 'safetensors ok', 'tfjs ok']);
  });
});
