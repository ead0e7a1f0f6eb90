/**
 * @tfweights/npy: NumPy `.npy` (v1/v2/v3) and `.npz` (stored or deflated, Zip64) reading and
 * writing over ByteSource / ByteSink. Browser-safe; file paths are in `@tfweights/npy/node`.
 */
export { NpyReader, listedInfo, type NpyReaderOptions } from './npy-reader.js';
export { NpzReader, type NpzReaderOptions } from './npz-reader.js';
export { NpzWriter, type NpzWriterOptions } from './npz-writer.js';
export {
  NpyFolderWriter, NPY_FOLDER_INDEX, safeFileStem, type FolderSinks, type NpyFolderIndex, type NpyFolderIndexEntry,
} from './npy-folder.js';
export { encodeNpy, type EncodedNpy, type NpyWriteOptions } from './npy-encode.js';
export { encodeNpyChunks, type EncodedNpyChunks } from './npy-chunks-encode.js';
export { NpyFileWriter } from './npy-file-writer.js';
export { decodeNpyData, fortranToC } from './npy-decode.js';
export { readNpyHeader, isNpyMagic, MAX_HEADER_BYTES, type NpyHeader } from './npy-header.js';
export { buildNpyHeader, shapeRepr } from './header-write.js';
export { parsePyLiteral, type PyValue } from './header-parse.js';
export { parseDescr, descrOf, type NpyElementType } from './descr.js';
export { npyFormat, npzFormat } from './formats.js';
export { zlibDeflater, loadZlibDeflater } from './zlib-deflater.js';
export { fileStem } from './names.js';

import { MemorySink, writeAll, type ByteSink, type Tensor } from '@tfweights/core';
import { encodeNpy, type NpyWriteOptions } from './npy-encode.js';
import { NpzWriter, type NpzWriterOptions } from './npz-writer.js';

/** The bytes of one `.npy` file for a tensor (identical to np.save's). */
export function npyBytes(tensor: Tensor, opts: NpyWriteOptions = {}): Uint8Array {
  const { header, data } = encodeNpy(tensor, opts);
  const out = new Uint8Array(header.byteLength + data.byteLength);
  out.set(header, 0);
  out.set(data, header.byteLength);
  return out;
}

/** Write tensors as an `.npz` to a sink (finishes it). */
export async function writeNpzTo(sink: ByteSink, tensors: Iterable<Tensor> | AsyncIterable<Tensor>, opts: NpzWriterOptions = {}): Promise<void> {
  await writeAll(new NpzWriter(sink, opts), tensors);
}

/** The bytes of an `.npz` holding the tensors, in memory. */
export async function npzBytes(tensors: Iterable<Tensor> | AsyncIterable<Tensor>, opts: NpzWriterOptions = {}): Promise<Uint8Array> {
  const sink = new MemorySink('<npz>');
  await writeNpzTo(sink, tensors, opts);
  return sink.bytes();
}
