/**
 * TensorReader over one `.npy` file: opening reads the preamble only; read() does one
 * ranged read of the data. The key is the file stem (`weights.npy` → `weights`).
 */
import {
  TensorNotFoundError, type ByteSource, type ReadOptions, type Tensor, type TensorInfo, type TensorReader, chunkedOf, type ChunkedTensor,
} from '@tfweights/core';
import { chunkedNpy, streamable } from './npy-chunks.js';
import { decodeNpyData } from './npy-decode.js';
import { readNpyHeader, sourcePrefix, type NpyHeader } from './npy-header.js';
import { fileStem } from './names.js';

export interface NpyReaderOptions {
  /** Key of the one tensor (default: the file stem of `source.name`). */
  key?: string;
}

export class NpyReader implements TensorReader {
  readonly format = 'npy';
  readonly metadata: Readonly<Record<string, unknown>>;

  private constructor(private readonly src: ByteSource, readonly header: NpyHeader, readonly key: string) {
    this.metadata = { version: `${header.version[0]}.${header.version[1]}`, descr: header.element.descr, fortranOrder: header.fortranOrder };
  }

  /** Read the preamble of a `.npy` source. */
  static async open(source: ByteSource, opts: NpyReaderOptions = {}): Promise<NpyReader> {
    const key = opts.key ?? fileStem(source.name);
    const header = await readNpyHeader(sourcePrefix(source), source.size, source.name);
    return new NpyReader(source, header, key);
  }

  get source(): string {
    return this.src.name;
  }

  list(): readonly TensorInfo[] {
    return [listedInfo(this.key, this.header)];
  }

  async read(key: string, _options?: ReadOptions): Promise<Tensor> {
    if (key !== this.key) throw new TensorNotFoundError(key, [this.key], { file: this.src.name });
    const bytes = await this.src.read(this.header.dataOffset, this.header.dataBytes, `data of '${key}'`);
    return decodeNpyData(this.header, bytes, key, this.src.name);
  }

  /** The array in chunks (C-order numeric arrays; others are read whole). */
  async readChunked(key: string, options?: ReadOptions): Promise<ChunkedTensor> {
    if (key !== this.key) throw new TensorNotFoundError(key, [this.key], { file: this.src.name });
    return streamable(this.header) ? chunkedNpy(this.header, key, this.src) : chunkedOf(await this.read(key, options));
  }

  async *tensors(options?: ReadOptions): AsyncIterable<Tensor> {
    yield await this.read(this.key, options);
  }

  async close(): Promise<void> {
    await this.src.close?.();
  }
}

/**
 * Info of an array without its data. For strings the decoded byte length is unknown until
 * read; it is given as the stored width (an upper bound for ASCII).
 */
export function listedInfo(key: string, header: NpyHeader): TensorInfo {
  const byteLength = header.element.stringKind ? header.dataBytes / (header.element.stringKind === 'U' ? 4 : 1) : header.dataBytes;
  return { key, name: key, dtype: header.dtype, shape: [...header.shape], byteLength, attrs: { descr: header.element.descr, ...(header.fortranOrder ? { fortranOrder: true } : {}) } };
}
