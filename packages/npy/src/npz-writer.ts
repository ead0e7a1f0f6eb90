/**
 * TensorWriter producing an `.npz` over a ByteSink, one member `<key>.npy` per tensor,
 * written as each tensor arrives. Laid out as np.savez / np.savez_compressed write it
 * (numpy/lib/_npyio_impl.py `_savez`: zipfile members opened with force_zip64=True), so
 * the same arrays give the same bytes. Compressed members use pako's deflate, a port of
 * zlib, which reproduces the zlib stream Python writes; fflate's differs beyond tiny inputs.
 */
import { allowsWriteBehind, checkLength, checkTensorInfo, materialize, ZipWriter, type ByteSink, type ChunkedTensor, type DeflaterFactory, type Tensor, type TensorWriter } from '@tfweights/core';
import { descrOf } from './descr.js';
import { buildNpyHeader } from './header-write.js';
import { encodeNpy, type NpyWriteOptions } from './npy-encode.js';
import { loadZlibDeflater, zlibDeflater } from './zlib-deflater.js';

export interface NpzWriterOptions extends NpyWriteOptions {
  /** Deflate members, like np.savez_compressed (default false: stored, like np.savez). */
  compressed?: boolean;
  /** Compressor for deflated members (default: pako, zlib-identical). */
  deflater?: DeflaterFactory;
}

export class NpzWriter implements TensorWriter {
  private readonly zip: ZipWriter;
  constructor(sink: ByteSink, private readonly opts: NpzWriterOptions = {}) {
    this.zip = new ZipWriter(sink, { forceZip64: true, deflater: opts.deflater ?? zlibDeflater, level: 6 });
  }

  async write(tensor: Tensor): Promise<void> {
    if (this.opts.compressed && !this.opts.deflater) await loadZlibDeflater();
    const { header, data } = encodeNpy(tensor, this.opts);
    await this.zip.addParts(`${tensor.key}.npy`, [header, data], { compress: !!this.opts.compressed });
  }

  /**
   * One array from its chunks: a stored member whose sizes are known up front, CRC-32
   * computed while the chunks pass and written back into the local header (as zipfile does),
   * so the archive is the same as from {@link write}. Compressed archives, strings and
   * bfloat16 (widened) are assembled whole first.
   */
  async writeChunked(tensor: ChunkedTensor): Promise<void> {
    checkTensorInfo(tensor);
    if (this.opts.compressed || tensor.dtype === 'string' || tensor.dtype === 'bfloat16') {
      await this.write(await materialize(tensor));
      return;
    }
    const header = buildNpyHeader(descrOf(tensor.dtype, tensor.key), tensor.shape);
    async function* parts(): AsyncIterable<Uint8Array> {
      yield header;
      yield* checkLength(tensor, tensor.chunks());
    }
    await this.zip.addSized(`${tensor.key}.npy`, header.byteLength + tensor.byteLength, parts(), { writeBehind: allowsWriteBehind(tensor) });
  }

  async finish(): Promise<void> {
    await this.zip.finish();
  }

  async abort(): Promise<void> {
    await this.zip.abort();
  }
}
