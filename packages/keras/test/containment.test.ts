/**
 * No read leaves the input: HDF5 files that point libhdf5 at other host files (external raw
 * storage, external links, virtual datasets; also inside a `.keras`) are refused with a
 * RefusedError, and the module keeps working for the next file. The hostile files are made
 * by h5py (Debian's python3), the way an attacker would make them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonWith, runPython, tempDir } from '@tfweights/testkit';
import { makeTensor, MemorySink, openZip, MemorySource, ZipWriter } from '@tfweights/core';
import { H5Writer } from '../src/index.js';
import { nodeH5Api, openKeras, writeKerasArchive } from '../src/node/index.js';

const py = pythonWith('h5py', 'numpy');
const tmp = tempDir('tfw-keras-contain-');
afterAll(() => tmp.cleanup());

/** Legacy Keras layout: one layer `dense` whose weight `dense/kernel:0` is made by `make`. */
const MAKE = `
import sys, h5py, numpy as np
out, kind, secret, other = sys.argv[1:5]
with h5py.File(out, 'w') as f:
    f.attrs['layer_names'] = [b'dense']
    f.attrs['keras_version'] = b'2.15.0'
    f.attrs['backend'] = b'tensorflow'
    g = f.create_group('dense')
    g.attrs['weight_names'] = [b'dense/kernel:0']
    sub = g.create_group('dense')
    if kind == 'external-storage':
        sub.create_dataset('kernel:0', shape=(64,), dtype='uint8', external=[(secret, 0, 64)])
    elif kind == 'external-link':
        sub['kernel:0'] = h5py.ExternalLink(other, '/secret')
    elif kind == 'virtual':
        lay = h5py.VirtualLayout(shape=(4,), dtype='float32')
        lay[:] = h5py.VirtualSource(other, 'secret', shape=(4,))
        sub.create_virtual_dataset('kernel:0', lay)
    elif kind == 'soft-link':
        sub['real'] = np.arange(4, dtype='float32')
        sub['kernel:0'] = h5py.SoftLink('/dense/dense/real')
if kind == 'external-link' or kind == 'virtual':
    with h5py.File(other, 'w') as f:
        f['secret'] = np.arange(4, dtype='float32')
`;

async function make(kind: string, secret = '/etc/passwd'): Promise<string> {
  const out = join(tmp.path, `${kind}-${secret.replace(/\W/g, '_')}.h5`);
  await runPython(py!, MAKE, [out, kind, secret, join(tmp.path, 'other.h5')]);
  return out;
}

async function readAll(path: string): Promise<number> {
  const r = await openKeras(path);
  try {
    let n = 0;
    for await (const t of r.tensors()) n += t.data.byteLength;
    return n;
  } finally {
    await r.close();
  }
}

describe.skipIf(!py)('HDF5 reads stay inside the input', () => {
  it('refuses external raw storage pointing at /etc/passwd (absolute and ../ paths)', async () => {
    for (const secret of ['/etc/passwd', '../../../../../../../../etc/passwd']) {
      const p = await make('external-storage', secret);
      await expect(readAll(p)).rejects.toMatchObject({ code: 'Refused', file: p, message: expect.stringContaining('etc/passwd') });
    }
  });
  it('refuses external links and virtual datasets naming the other file', async () => {
    for (const kind of ['external-link', 'virtual']) {
      const p = await make(kind);
      await expect(readAll(p)).rejects.toMatchObject({ code: 'Refused', message: expect.stringContaining('other.h5') });
    }
  });
  it('still follows a soft link inside the file, and the module still reads the next file', async () => {
    expect(await readAll(await make('soft-link'))).toBeGreaterThanOrEqual(16);
    const api = await nodeH5Api();
    const p = join(tmp.path, 'plain.h5');
    const w = H5Writer.create(api, p);
    w.nameList('/', 'layer_names', []);
    w.vlenString('/', 'keras_version', '2.15.0');
    w.close();
    expect(await readAll(p)).toBe(0);
  });
  it('refuses external storage inside a .keras archive', async () => {
    const inner = readFileSync(await make('external-storage'));
    const sink = new MemorySink('x.keras');
    const zip = new ZipWriter(sink);
    await zip.addBytes('metadata.json', new TextEncoder().encode('{"keras_version": "3.15.0"}'));
    await zip.addBytes('config.json', new TextEncoder().encode('{}'));
    await zip.addBytes('model.weights.h5', inner);
    await zip.finish();
    const p = join(tmp.path, 'hostile.keras');
    writeFileSync(p, sink.bytes());
    await expect(readAll(p)).rejects.toMatchObject({ code: 'Refused', message: expect.stringContaining('/etc/passwd') });
  });
});

describe('.keras integrity', () => {
  it('a flipped bit inside the stored model.weights.h5 is ChecksumMismatch, not other values', async () => {
    const p = join(tmp.path, 'flip.keras');
    const kernel = makeTensor('d/kernel', 'float32', [64], new Uint8Array(new Float32Array(64).fill(1.5).buffer));
    await writeKerasArchive(p, { layers: [{ name: 'd', className: 'Dense', weights: [{ name: 'kernel', tensor: kernel }] }] });
    const bytes = readFileSync(p);
    const zip = await openZip(new MemorySource(bytes, p));
    const member = zip.get('model.weights.h5')!;
    const start = await member.dataOffset();
    // 1.5f is 00 00 c0 3f: flip a bit of one kernel value.
    const at = bytes.indexOf(Buffer.from([0x00, 0x00, 0xc0, 0x3f]), start);
    expect(at).toBeGreaterThan(start);
    bytes[at + 3] = bytes[at + 3]! ^ 0x01;
    writeFileSync(p, bytes);
    await expect(readAll(p)).rejects.toMatchObject({ code: 'ChecksumMismatch', file: p, entry: 'model.weights.h5' });
  });
});
