/**
 * TensorWriter producing an `.npz` over a ByteSink, one member `<key>.npy` per tensor,
 * written as each tensor arrives. Laid out as np.savez / np.savez_compressed write it
 * (numpy/lib/_npyio_impl.py `_savez`: zipfile members opened with force_zip64=True), so
 * the same arrays give the same bytes. Compressed members use pako's deflate, a port of
 * zlib, which reproduces the zlib stream Python writes; fflate's differs beyond tiny inputs.
 */
import { ZipWriter, type ByteSink, type DeflaterFactory, type Tensor, type TensorWriter } from '@tfweights/core';
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

  async finish(): Promise<void> {
    await this.zip.finish();
  }

  async abort(): Promise<void> {
    await this.zip.abort();
  }
}
