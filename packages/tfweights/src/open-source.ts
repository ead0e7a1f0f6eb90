/**
 * Opening weights that are bytes rather than a path (an upload, a fetch, a ByteSource):
 * the single-file formats whose readers work from a ByteSource — `.npy`, `.npz`,
 * safetensors — detected by their magic numbers. Browser-safe.
 */
import { describeContent, MemorySource, NotThisFormatError, sniffInputOf, type ByteSource, type TensorReader } from '@tfweights/core';
import { NpyReader, npyFormat, NpzReader, npzFormat } from '@tfweights/npy';
import { SafetensorsReader, safetensorsFormat } from '@tfweights/safetensors';

/** Bytes or a ByteSource as a ByteSource. */
export function asSource(input: ByteSource | Uint8Array | ArrayBuffer, name = '<bytes>'): ByteSource {
  if (input instanceof Uint8Array) return new MemorySource(input, name);
  if (input instanceof ArrayBuffer) return new MemorySource(new Uint8Array(input), name);
  return input;
}

/**
 * Open `.npy`, `.npz` or safetensors bytes. Other formats need files (a checkpoint is
 * several files; Keras goes through HDF5): the Node entry's `open()` takes paths and bytes.
 */
export async function openSource(input: ByteSource | Uint8Array | ArrayBuffer): Promise<TensorReader> {
  const source = asSource(input);
  const sniff = await sniffInputOf(source);
  if (npyFormat.sniff(sniff)) return NpyReader.open(source);
  if (npzFormat.sniff(sniff)) return NpzReader.open(source);
  if (safetensorsFormat.sniff(sniff)) return SafetensorsReader.open(source);
  throw new NotThisFormatError(`cannot open this from bytes: it is ${describeContent(sniff)} (from bytes: .npy, .npz, safetensors; pass a path for checkpoints, SavedModels, Keras and tfjs)`, { file: source.name });
}
