/**
 * Big checkpoints for the benchmarks, generated chunk by chunk from one reused pattern buffer
 * (so gigabytes cost seconds and no memory), and the same tensors again for checking outputs.
 */
import { CHUNK_BYTES, type ChunkedTensor } from '@tfweights/core';
import { writeCheckpoint } from '@tfweights/checkpoint/node';

/** A float32 tensor of `bytes` (a multiple of 4 KiB) whose chunks differ from each other. */
export function generated(key: string, bytes: number, seed: number): ChunkedTensor {
  const elements = bytes / 4;
  const cols = 1024;
  return {
    key, name: key, dtype: 'float32', shape: [elements / cols, cols], byteLength: bytes,
    chunks: async function* () {
      const values = new Float32Array(CHUNK_BYTES / 4);
      for (let i = 0; i < values.length; i++) values[i] = Math.sin(i + seed) * 0.05;
      const out = new Uint8Array(values.buffer);
      for (let at = 0, k = 0; at < bytes; at += CHUNK_BYTES, k++) {
        values[0] = k; // chunks differ
        yield out.subarray(0, Math.min(CHUNK_BYTES, bytes - at));
      }
    },
  };
}

/** The tensors of a generated checkpoint with tensors of `sizes` bytes (`layer_000/kernel`, …). */
export function generatedTensors(sizes: readonly number[]): ChunkedTensor[] {
  return sizes.map((b, i) => generated(`layer_${String(i).padStart(3, '0')}/kernel`, b, i));
}

/** Write a checkpoint of {@link generatedTensors} at `prefix`. */
export async function generate(prefix: string, sizes: readonly number[]): Promise<void> {
  await writeCheckpoint(prefix, generatedTensors(sizes));
}
