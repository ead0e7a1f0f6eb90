/** Test helpers: tensors of every dtype, an independent spec reader, the reference Python package. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { byteLengthOf, makeTensor, type DTypeName, type Tensor } from '@tfweights/core';
import { pythonWith, runPython, seededRandom, tempDir } from '@tfweights/testkit';

/** Every tfweights dtype that safetensors can store. */
export const STORABLE: DTypeName[] = [
  'bool', 'uint8', 'int8', 'float8_e5m2', 'float8_e4m3fn', 'float8_e4m3fnuz', 'float8_e5m2fnuz',
  'int16', 'uint16', 'float16', 'bfloat16', 'int32', 'uint32', 'float32', 'complex64', 'float64', 'int64', 'uint64',
];

/** A tensor of random bytes (bool: 0/1). */
export function randomTensor(key: string, dtype: DTypeName, shape: number[], seed: number): Tensor {
  const rnd = seededRandom(seed);
  const data = new Uint8Array(byteLengthOf(dtype, shape));
  for (let i = 0; i < data.length; i++) data[i] = dtype === 'bool' ? (rnd() < 0.5 ? 0 : 1) : Math.floor(rnd() * 256);
  return makeTensor(key, dtype, shape, data);
}

/**
 * A safetensors parser written from the format description alone (not sharing code with the
 * package): returns name → { dtype, shape, bytes } and the metadata.
 */
export function specRead(file: Uint8Array): { metadata?: Record<string, string>; tensors: Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }> } {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<string, unknown>;
  const tensors = new Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>();
  let metadata: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    tensors.set(k, { dtype: e.dtype, shape: e.shape, bytes: file.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]) });
  }
  return { metadata, tensors };
}

/**
 * Debian's python3 with numpy plus the safetensors wheel found on this machine (unpacked to a
 * temporary folder, not installed). Undefined (with a SKIPPED message) when either is absent.
 */
export async function referencePython(): Promise<{ exe: string; path: string; cleanup: () => void } | undefined> {
  const exe = pythonWith('numpy');
  const dir = '/opt/pypi/files';
  const wheel = existsSync(dir) ? readdirSync(dir).find((f) => /^safetensors-.*\.whl$/.test(f)) : undefined;
  if (!exe || !wheel) {
    console.warn('[tfweights] reference safetensors (Python wheel) not available: reference-tool tests are SKIPPED');
    return undefined;
  }
  const tmp = tempDir('tfw-st-wheel-');
  await runPython(exe, 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', [join(dir, wheel), tmp.path]);
  return { exe, path: tmp.path, cleanup: tmp.cleanup };
}
