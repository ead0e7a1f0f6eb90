/**
 * safetensors writers over a ByteSink. The header must come first, so:
 *
 * - {@link SafetensorsWriter} takes every TensorInfo up front, writes the header at once and
 *   then streams tensor data. Tensors written in `writer.order` go straight to the sink;
 *   tensors written early are held until their turn.
 * - {@link SafetensorsCollectingWriter} takes tensors one by one with no plan, spools their
 *   data (memory, or a temporary file from `@tfweights/safetensors/node`) and writes the
 *   header and data at `finish()`.
 */
import {
  allowsWriteBehind, byteLengthOf, checkLength, checkTensor, checkTensorInfo, chunkWriter, InvalidArgumentError, materialize, MemorySink, type ByteSink, type ChunkedTensor, type Tensor, type TensorInfo, type TensorWriter,
} from '@tfweights/core';
import { planSafetensors, type PlannedTensor, type SafetensorsLayout } from './layout.js';

export interface SafetensorsWriteOptions {
  /** `__metadata__` (string values only); written first in the header. */
  metadata?: Readonly<Record<string, string>>;
}

function checkMatches(t: TensorInfo, dataBytes: number, planned: TensorInfo, file: string): void {
  if (t.dtype !== planned.dtype || t.shape.length !== planned.shape.length || t.shape.some((d, i) => d !== planned.shape[i])) {
    throw new InvalidArgumentError('tensor differs from the info given when the writer was created', {
      file, entry: t.key, expected: `${planned.dtype} [${planned.shape.join(', ')}]`, found: `${t.dtype} [${t.shape.join(', ')}]`,
    });
  }
  if (dataBytes !== byteLengthOf(t.dtype, t.shape)) {
    throw new InvalidArgumentError('tensor data has the wrong byte count', { file, entry: t.key, expected: `${byteLengthOf(t.dtype, t.shape)}`, found: `${dataBytes}` });
  }
}

/** Streaming writer: infos first, then data in any order (in `order` for zero buffering). */
export class SafetensorsWriter implements TensorWriter {
  private next = 0;
  private readonly pending = new Map<string, Uint8Array>();
  private readonly index = new Map<string, number>();
  private failed = false;

  private constructor(private readonly sink: ByteSink, readonly layout: SafetensorsLayout) {
    layout.tensors.forEach((t, i) => this.index.set(t.key, i));
  }

  /** Plan the file and write its header to `sink`. */
  static async create(sink: ByteSink, infos: readonly TensorInfo[], opts: SafetensorsWriteOptions = {}): Promise<SafetensorsWriter> {
    let layout: SafetensorsLayout;
    try {
      layout = planSafetensors(infos, opts.metadata, sink.name);
      await sink.write(layout.prefix);
    } catch (err) {
      await sink.abort();
      throw err;
    }
    return new SafetensorsWriter(sink, layout);
  }

  /** Tensor keys in the order their data is stored; writing in this order needs no buffering. */
  get order(): readonly string[] {
    return this.layout.tensors.map((t) => t.key);
  }

  async write(tensor: Tensor): Promise<void> {
    checkTensor(tensor, this.sink.name);
    const i = this.index.get(tensor.key);
    if (i === undefined) throw new InvalidArgumentError('tensor was not in the list given to the writer', { file: this.sink.name, entry: tensor.key });
    const planned = this.layout.tensors[i]!;
    checkMatches(tensor, tensor.data.byteLength, planned.info, this.sink.name);
    if (i < this.next || this.pending.has(tensor.key)) throw new InvalidArgumentError('tensor written twice', { file: this.sink.name, entry: tensor.key });
    if (i !== this.next) {
      this.pending.set(tensor.key, tensor.data);
      return;
    }
    await this.emit(tensor.data);
    for (let t = this.layout.tensors[this.next]; t && this.pending.has(t.key); t = this.layout.tensors[this.next]) {
      const data = this.pending.get(t.key)!;
      this.pending.delete(t.key);
      await this.emit(data);
    }
  }

  /**
   * One tensor from its chunks, straight to the file when it is the next in `order` (the
   * pipeline writes in that order); a tensor written early is assembled and held instead.
   */
  async writeChunked(tensor: ChunkedTensor): Promise<void> {
    checkTensorInfo(tensor, this.sink.name);
    const i = this.index.get(tensor.key);
    if (i !== this.next) {
      await this.write(await materialize(tensor));
      return;
    }
    const planned = this.layout.tensors[i]!;
    checkMatches(tensor, tensor.byteLength, planned.info, this.sink.name);
    try {
      const put = chunkWriter(this.sink, allowsWriteBehind(tensor));
      for await (const c of checkLength(planned.info, tensor.chunks())) await put(c);
    } catch (err) {
      this.failed = true;
      throw err;
    }
    this.next++;
    for (let t = this.layout.tensors[this.next]; t && this.pending.has(t.key); t = this.layout.tensors[this.next]) {
      const data = this.pending.get(t.key)!;
      this.pending.delete(t.key);
      await this.emit(data);
    }
  }

  private async emit(data: Uint8Array): Promise<void> {
    try {
      await this.sink.write(data);
    } catch (err) {
      this.failed = true;
      throw err;
    }
    this.next++;
  }

  async finish(): Promise<void> {
    if (this.failed) throw new InvalidArgumentError('cannot finish after a failed write', { file: this.sink.name });
    const missing = this.layout.tensors.slice(this.next).map((t) => t.key);
    if (missing.length > 0) {
      await this.abort();
      throw new InvalidArgumentError(`${missing.length} planned tensor(s) were never written: ${missing.slice(0, 5).join(', ')}`, { file: this.sink.name });
    }
    await this.sink.finish();
  }

  async abort(): Promise<void> {
    this.pending.clear();
    await this.sink.abort();
  }
}

/** Where a collecting writer keeps tensor data until the header can be written. */
export interface Spool {
  /** Append bytes; returns their offset in the spool. */
  append(bytes: Uint8Array): Promise<number>;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Release the storage (delete the temporary file). */
  dispose(): Promise<void>;
}

/** A spool in memory (browsers, small models). */
export class MemorySpool implements Spool {
  private readonly chunks: Uint8Array[] = [];
  private readonly starts: number[] = [];
  private size = 0;
  async append(bytes: Uint8Array): Promise<number> {
    const at = this.size;
    this.chunks.push(bytes);
    this.starts.push(at);
    this.size += bytes.byteLength;
    return at;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    // Every read asks for exactly one appended chunk.
    const i = this.starts.indexOf(offset);
    const c = this.chunks[i];
    if (!c || c.byteLength !== length) throw new InvalidArgumentError(`spool has no chunk at ${offset}+${length}`);
    return c;
  }
  async dispose(): Promise<void> {
    this.chunks.length = 0;
    this.starts.length = 0;
  }
}

export interface CollectingWriteOptions extends SafetensorsWriteOptions {
  /** Where to keep data until finish(); memory by default. */
  spool?: Spool;
}

/** Writer that needs no plan: collects tensors, writes header + data at finish(). */
export class SafetensorsCollectingWriter implements TensorWriter {
  private readonly entries: { info: TensorInfo; offset: number }[] = [];
  private readonly spool: Spool;
  constructor(private readonly sink: ByteSink, private readonly opts: CollectingWriteOptions = {}) {
    this.spool = opts.spool ?? new MemorySpool();
  }

  async write(tensor: Tensor): Promise<void> {
    checkTensor(tensor, this.sink.name);
    if (this.entries.some((e) => e.info.key === tensor.key)) throw new InvalidArgumentError('tensor written twice', { file: this.sink.name, entry: tensor.key });
    checkMatches(tensor, tensor.data.byteLength, tensor, this.sink.name);
    // Plan now so an unstorable dtype fails at once, not at finish().
    planSafetensors([tensor], undefined, this.sink.name);
    const { key, name, dtype, shape, byteLength } = tensor;
    this.entries.push({ info: { key, name, dtype, shape: [...shape], byteLength }, offset: await this.spool.append(tensor.data) });
  }

  async finish(): Promise<void> {
    try {
      const layout = planSafetensors(this.entries.map((e) => e.info), this.opts.metadata, this.sink.name);
      const offsets = new Map(this.entries.map((e) => [e.info.key, e.offset]));
      await this.sink.write(layout.prefix);
      for (const t of layout.tensors as PlannedTensor[]) {
        await this.sink.write(await this.spool.read(offsets.get(t.key)!, t.end - t.begin));
      }
      await this.sink.finish();
    } catch (err) {
      await this.sink.abort();
      throw err;
    } finally {
      await this.spool.dispose();
    }
  }

  async abort(): Promise<void> {
    await this.spool.dispose();
    await this.sink.abort();
  }
}

/** Serialize tensors to safetensors bytes in memory (the reference `serialize`). */
export async function serializeSafetensors(tensors: readonly Tensor[], opts: SafetensorsWriteOptions = {}): Promise<Uint8Array> {
  const sink = new MemorySink('<safetensors>');
  const w = await SafetensorsWriter.create(sink, tensors, opts);
  const byKey = new Map(tensors.map((t) => [t.key, t]));
  for (const key of w.order) await w.write(byKey.get(key)!);
  await w.finish();
  return sink.bytes();
}
