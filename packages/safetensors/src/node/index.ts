/**
 * Node entry: open and write safetensors files by path. Writes are atomic (temporary file
 * beside the target, renamed on success).
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSink, openLocation, uniqueSuffix, type AtomicOptions } from '@tfweights/core/node';
import { IoError, type Tensor, type TensorInfo } from '@tfweights/core';
import { SafetensorsReader } from '../reader.js';
import {
  SafetensorsCollectingWriter, SafetensorsWriter, type SafetensorsWriteOptions, type Spool,
} from '../writer.js';

/** Open a `.safetensors` file; `close()` releases the file handle. */
export async function openSafetensors(path: string): Promise<SafetensorsReader> {
  const source = await openLocation(path);
  try {
    return await SafetensorsReader.open(source);
  } catch (err) {
    await source.close?.();
    throw err;
  }
}

export interface WriteSafetensorsOptions extends SafetensorsWriteOptions, AtomicOptions {}

/** A streaming writer to `path` (infos first); the file appears only when `finish()` succeeds. */
export async function createSafetensorsWriter(path: string, infos: readonly TensorInfo[], opts: WriteSafetensorsOptions = {}): Promise<SafetensorsWriter> {
  return SafetensorsWriter.create(await createFileSink(path, opts), infos, opts);
}

/** A writer to `path` that needs no plan: data is spooled to a temporary file until `finish()`. */
export async function createCollectingSafetensorsWriter(path: string, opts: WriteSafetensorsOptions = {}): Promise<SafetensorsCollectingWriter> {
  return new SafetensorsCollectingWriter(await createFileSink(path, opts), { ...opts, spool: await FileSpool.create() });
}

/**
 * Write tensors to `path` atomically. An array is written in one streaming pass; an async
 * iterable (e.g. another reader's `tensors()`) is spooled to a temporary file first.
 */
export async function writeSafetensors(
  path: string, tensors: readonly Tensor[] | AsyncIterable<Tensor>, opts: WriteSafetensorsOptions = {},
): Promise<void> {
  if (Array.isArray(tensors)) {
    const list = tensors as readonly Tensor[];
    const w = await createSafetensorsWriter(path, list, opts);
    const byKey = new Map(list.map((t) => [t.key, t]));
    try {
      for (const key of w.order) await w.write(byKey.get(key)!);
    } catch (err) {
      await w.abort();
      throw err;
    }
    await w.finish();
    return;
  }
  const w = await createCollectingSafetensorsWriter(path, opts);
  try {
    for await (const t of tensors as AsyncIterable<Tensor>) await w.write(t);
  } catch (err) {
    await w.abort();
    throw err;
  }
  await w.finish();
}

/** A spool in a temporary file under the OS temp folder, deleted by dispose(). */
export class FileSpool implements Spool {
  private size = 0;
  private constructor(readonly path: string, private handle: FileHandle | undefined) {}

  static async create(dir = tmpdir()): Promise<FileSpool> {
    const path = join(dir, `tfw-spool-${uniqueSuffix()}.tmp`);
    return new FileSpool(path, await open(path, 'wx+'));
  }

  async append(bytes: Uint8Array): Promise<number> {
    const h = this.live();
    const at = this.size;
    let done = 0;
    while (done < bytes.byteLength) done += (await h.write(bytes, done, bytes.byteLength - done, at + done)).bytesWritten;
    this.size += bytes.byteLength;
    return at;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const h = this.live();
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await h.read(out, done, length - done, offset + done);
      if (bytesRead === 0) throw new IoError('spool file is shorter than written', { file: this.path, offset: offset + done });
      done += bytesRead;
    }
    return out;
  }

  async dispose(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private live(): FileHandle {
    if (!this.handle) throw new IoError('spool used after dispose', { file: this.path });
    return this.handle;
  }
}

export { SafetensorsReader } from '../reader.js';
export { SafetensorsWriter, SafetensorsCollectingWriter } from '../writer.js';
