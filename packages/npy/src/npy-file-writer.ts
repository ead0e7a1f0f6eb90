/**
 * A writer of one `.npy` file: it holds exactly one tensor, taken whole (`write`) or in chunks
 * (`writeChunked`, bounded memory); the sink is opened at that tensor and committed by
 * finish(), so a refused second tensor or a failure leaves nothing behind.
 */
import { InvalidArgumentError, materialize, type ByteSink, type ChunkedTensor, type Tensor, type TensorWriter } from '@tfweights/core';
import { encodeNpyChunks } from './npy-chunks-encode.js';
import { encodeNpy, type NpyWriteOptions } from './npy-encode.js';

export class NpyFileWriter implements TensorWriter {
  private sink: ByteSink | undefined;
  private taken = false;

  /** `open` creates the (atomic) output; `name` is the path named in errors. */
  constructor(private readonly open: () => Promise<ByteSink>, private readonly name: string, private readonly opts: NpyWriteOptions = {}) {}

  private async start(): Promise<ByteSink> {
    if (this.taken) throw new InvalidArgumentError('a .npy file holds one tensor; write a folder (--to npy, OUT without .npy) or pick one with --include', { file: this.name });
    this.taken = true;
    this.sink = await this.open();
    return this.sink;
  }

  async write(tensor: Tensor): Promise<void> {
    const { header, data } = encodeNpy(tensor, this.opts);
    const sink = await this.start();
    await sink.write(header);
    await sink.write(data);
  }

  async writeChunked(tensor: ChunkedTensor): Promise<void> {
    const enc = encodeNpyChunks(tensor, this.opts);
    if (!enc) {
      await this.write(await materialize(tensor));
      return;
    }
    const sink = await this.start();
    await sink.write(enc.header);
    for await (const c of enc.chunks()) await sink.write(c);
  }

  async finish(): Promise<void> {
    if (!this.sink) throw new InvalidArgumentError('nothing to write: no tensor was selected', { file: this.name });
    await this.sink.finish();
  }

  async abort(): Promise<void> {
    await this.sink?.abort();
  }
}
