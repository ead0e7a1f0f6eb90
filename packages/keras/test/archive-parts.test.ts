// The browser path for `.keras`: why the archive itself cannot go to libhdf5, and that the
// located member range, given to h5wasm as a file of its own, is what the Node path reads.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, haveFixtures, loadTruth, tempDir } from '@tfweights/testkit';
import { MemorySink, MemorySource, NotThisFormatError, ZipWriter } from '@tfweights/core';
import { KerasReader, openKerasArchiveParts } from '../src/index.js';
import { nodeH5Api } from '../src/node/index.js';

describe.skipIf(!haveFixtures())('.keras archives from bytes (browser-safe)', () => {
  const path = haveFixtures() ? fixture('keras3/student-adam', 'model.keras') : '';

  it('libhdf5 cannot open the .keras itself: the HDF5 member does not start at a superblock offset', async () => {
    const api = await nodeH5Api();
    // (The exact libhdf5 complaint varies with its build: "cannot open this HDF5 file" or a refused read.)
    expect(() => KerasReader.open(api, path)).toThrow(/model\.keras: /);
  });

  it('locates model.weights.h5 as a stored range; that range alone opens and lists like the truth', async () => {
    const bytes = new Uint8Array(readFileSync(path));
    const parts = await openKerasArchiveParts(new MemorySource(bytes, 'model.keras'));
    expect(parts.storedAt).toBeGreaterThan(0);
    expect(parts.storedAt! % 512).not.toBe(0);
    expect(parts.json.config).toBeTypeOf('object');
    expect(parts.metadata.keras_version).toBeTypeOf('string');
    const dir = tempDir('keras-parts');
    const member = join(dir.path, 'model.weights.h5');
    writeFileSync(member, bytes.subarray(parts.storedAt!, parts.storedAt! + parts.weights.size));
    const r = KerasReader.open(await nodeH5Api(), member, { name: 'model.keras:model.weights.h5', config: parts.json.config, metadata: parts.metadata });
    try {
      const truth = loadTruth('keras3/student-adam')[0]!;
      expect([...r.list()].map((t) => t.key).sort()).toEqual(truth.tensors.map((t) => t.key).sort());
      expect(r.metadata.keras_version).toBe(parts.metadata.keras_version);
    } finally {
      await r.close();
      dir.cleanup();
    }
  });

  it('a zip without model.weights.h5 is refused with a one-line reason', async () => {
    const sink = new MemorySink();
    const w = new ZipWriter(sink);
    await w.addBytes('config.json', new TextEncoder().encode('{}'));
    await w.finish();
    const zip = sink.bytes();
    await expect(openKerasArchiveParts(new MemorySource(zip, 'other.keras'))).rejects.toThrow(NotThisFormatError);
    await expect(openKerasArchiveParts(new MemorySource(zip, 'other.keras'))).rejects.toThrow(/other\.keras: \.keras archive without model\.weights\.h5/);
  });
});
