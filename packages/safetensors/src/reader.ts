/**
 * Lazy safetensors reader: opening reads the 8-byte length and the header (two ranged
 * reads); `read(key)` is one ranged read of that tensor's bytes.
 */
import {
  makeTensor, TensorNotFoundError, UnsupportedDtypeError,
  type ByteSource, type ReadOptions, type Tensor, type TensorInfo, type TensorReader, sourceChunks, type ChunkedTensor, withWriteBehind,
} from '@tfweights/core';
import { coreDtypeOf } from './dtypes.js';
import { headerLengthOf, parseHeader, type SafetensorsEntry } from './header.js';

/** A tensor whose safetensors dtype the tfweights dtype table lacks (F4, F6_*, F8_E8M0). */
export interface UnsupportedEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly byteLength: number;
}

export class SafetensorsReader implements TensorReader {
  readonly format = 'safetensors' as const;
  readonly source: string;
  /** `__metadata__` of the file (empty object when absent). */
  readonly userMetadata: Readonly<Record<string, string>>;
  /** Format facts for `inspect`: header length, `__metadata__`, unsupported tensors. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Tensors listed in the header whose dtype tfweights cannot represent; not in list(). */
  readonly unsupported: readonly UnsupportedEntry[];
  private readonly infos: TensorInfo[] = [];
  private readonly byKey = new Map<string, { entry: SafetensorsEntry; info?: TensorInfo }>();
  private readonly order: SafetensorsEntry[];

  private constructor(private readonly src: ByteSource, private readonly dataStart: number, header: ReturnType<typeof parseHeader>) {
    this.source = src.name;
    this.order = [...header.entries];
    const unsupported: UnsupportedEntry[] = [];
    for (const e of header.entries) {
      const dtype = coreDtypeOf(e.stDtype);
      const byteLength = e.end - e.begin;
      if (dtype === undefined) {
        unsupported.push({ name: e.name, dtype: e.stDtype, shape: e.shape, byteLength });
        this.byKey.set(e.name, { entry: e });
        continue;
      }
      const info: TensorInfo = { key: e.name, name: e.name, dtype, shape: e.shape, byteLength };
      this.infos.push(info);
      this.byKey.set(e.name, { entry: e, info });
    }
    this.unsupported = unsupported;
    this.userMetadata = header.metadata ?? {};
    this.metadata = {
      headerLength: header.headerLength,
      ...(header.metadata ? { __metadata__: header.metadata } : {}),
      ...(unsupported.length > 0 ? { unsupported: unsupported.map((u) => `${u.name} (${u.dtype})`) } : {}),
    };
  }

  /** Open a safetensors source: validates the whole header before returning. */
  static async open(source: ByteSource): Promise<SafetensorsReader> {
    const prefix = await source.read(0, Math.min(8, source.size), 'header length');
    const n = headerLengthOf(prefix, source.size, source.name);
    const header = parseHeader(await source.read(8, n, 'header'), source.size, source.name);
    return new SafetensorsReader(source, header.dataStart, header);
  }

  /** Tensors in buffer order (which is the order the reference writer chose). */
  list(): readonly TensorInfo[] {
    return this.infos;
  }

  async read(key: string, _options?: ReadOptions): Promise<Tensor> {
    const found = this.byKey.get(key);
    if (!found) throw new TensorNotFoundError(key, [...this.byKey.keys()], { file: this.source });
    return this.load(found.entry, found.info);
  }

  /** One tensor's bytes in chunks straight from the file (safetensors data is raw little-endian). */
  async readChunked(key: string, _options?: ReadOptions): Promise<ChunkedTensor> {
    const found = this.byKey.get(key);
    if (!found) throw new TensorNotFoundError(key, [...this.byKey.keys()], { file: this.source });
    const { entry: e, info } = found;
    if (!info) await this.load(e, info); // throws the unsupported-dtype error
    const start = this.dataStart + e.begin;
    const length = e.end - e.begin;
    // sourceChunks' three buffers: a writer may write behind (withWriteBehind).
    return { ...info!, chunks: withWriteBehind(() => sourceChunks(this.src, start, length, { what: `tensor '${e.name}'` })) };
  }

  async *tensors(_options?: ReadOptions): AsyncIterable<Tensor> {
    for (const e of this.order) yield this.load(e, this.byKey.get(e.name)?.info);
  }

  async close(): Promise<void> {
    await this.src.close?.();
  }

  private async load(e: SafetensorsEntry, info: TensorInfo | undefined): Promise<Tensor> {
    if (!info) {
      throw new UnsupportedDtypeError(`safetensors dtype ${e.stDtype} has no tfweights dtype (sub-byte/exotic float); the other tensors are readable`, {
        file: this.source, entry: e.name,
      });
    }
    const data = await this.src.read(this.dataStart + e.begin, e.end - e.begin, `tensor '${e.name}'`);
    return makeTensor(e.name, info.dtype, info.shape, data);
  }
}

/** Open a safetensors ByteSource (see {@link SafetensorsReader}). */
export function openSafetensorsSource(source: ByteSource): Promise<SafetensorsReader> {
  return SafetensorsReader.open(source);
}
