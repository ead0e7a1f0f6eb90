/**
 * Checks against the reference implementation (huggingface/safetensors' Python package,
 * its Rust core) when its wheel is on this machine. Debian bookworm has no
 * python3-safetensors package, so the wheel is unpacked into a temporary folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPython, tempDir } from '@tfweights/testkit';
import { openSafetensors, writeSafetensors } from '../src/node/index.js';
import { serializeSafetensors } from '../src/index.js';
import { randomTensor, referencePython, STORABLE } from './helpers.js';

const py = await referencePython();
const tmp = tempDir('tfw-st-ref-');
afterAll(() => {
  tmp.cleanup();
  py?.cleanup();
});

// Serialize raw bytes with the reference: dtype names as TensorSpec wants them (numpy-style).
const SERIALIZE = `
import sys, json, numpy as np
sys.path.insert(0, sys.argv[1])
from safetensors import TensorSpec, serialize
spec = json.load(open(sys.argv[2]))
keep, specs = [], {}
for name, t in spec['tensors'].items():
    a = np.frombuffer(bytes.fromhex(t['hex']), dtype=np.uint8).copy(); keep.append(a)
    specs[name] = TensorSpec(dtype=t['dtype'], shape=t['shape'], data_ptr=a.ctypes.data, data_len=a.nbytes)
open(sys.argv[3], 'wb').write(bytes(serialize(specs, spec.get('metadata'))))
`;
const DESERIALIZE = `
import sys, json
sys.path.insert(0, sys.argv[1])
from safetensors import deserialize
out = {name: {'dtype': t['dtype'], 'shape': list(t['shape']), 'hex': bytes(t['data']).hex()} for name, t in deserialize(open(sys.argv[2], 'rb').read())}
print(json.dumps(out))
`;

describe.skipIf(!py)('against the reference safetensors implementation', () => {
  const tensors = STORABLE.flatMap((d, i) => [randomTensor(`layer.${d}`, d, [2, 3], i), randomTensor(`b.${d}`, d, [5], 50 + i)]);
  tensors.push(randomTensor('scalar', 'float32', [], 99), randomTensor('zero', 'int16', [0, 3], 98));
  const metadata = { format: 'np' };

  it('writes byte-identical files to the reference serializer (all dtypes incl. bf16, f16, f8)', async () => {
    const spec = { metadata, tensors: Object.fromEntries(tensors.map((t) => [t.key, { dtype: t.dtype, shape: t.shape, hex: Buffer.from(t.data).toString('hex') }])) };
    writeFileSync(join(tmp.path, 'spec.json'), JSON.stringify(spec));
    await runPython(py!.exe, SERIALIZE, [py!.path, join(tmp.path, 'spec.json'), join(tmp.path, 'ref.safetensors')]);
    const theirs = readFileSync(join(tmp.path, 'ref.safetensors'));
    const ours = await serializeSafetensors(tensors, { metadata });
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
  });

  it('reads files the reference wrote, and the reference reads ours', async () => {
    const path = join(tmp.path, 'ours.safetensors');
    await writeSafetensors(path, tensors, { metadata });
    const back = JSON.parse(await runPython(py!.exe, DESERIALIZE, [py!.path, path])) as Record<string, { dtype: string; shape: number[]; hex: string }>;
    expect(Object.keys(back).sort()).toEqual(tensors.map((t) => t.key).sort());
    for (const t of tensors) {
      expect(back[t.key]!.shape).toEqual(t.shape);
      expect(back[t.key]!.hex).toBe(Buffer.from(t.data).toString('hex'));
    }
    const r = await openSafetensors(join(tmp.path, 'ref.safetensors'));
    try {
      expect(r.userMetadata).toEqual(metadata);
      for (const t of tensors) expect(Buffer.from((await r.read(t.key)).data).toString('hex')).toBe(Buffer.from(t.data).toString('hex'));
    } finally {
      await r.close();
    }
  });

  it('the reference rejects what we reject: overlapping offsets', async () => {
    const bad = Buffer.from('{"a":{"dtype":"I8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"I8","shape":[2],"data_offsets":[1,3]}}');
    const file = Buffer.concat([Buffer.alloc(8), bad, Buffer.alloc(3)]);
    file.writeUInt32LE(bad.length, 0);
    writeFileSync(join(tmp.path, 'bad.safetensors'), file);
    await expect(runPython(py!.exe, DESERIALIZE, [py!.path, join(tmp.path, 'bad.safetensors')])).rejects.toThrow(/InvalidOffset|offset/i);
  });
});
