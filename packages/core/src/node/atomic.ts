/**
 * Atomic outputs: everything is written to a temporary name beside the target and renamed
 * into place at the end, so a failed or interrupted write never leaves a half-written file
 * and never touches an existing one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ByteSink } from '../byte-sink.js';
import { InvalidArgumentError, IoError } from '../errors.js';

export interface AtomicOptions {
  /** Replace an existing target (default false: refuse). */
  overwrite?: boolean;
}

/** A temporary path beside `target`, named so it is obviously ours. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tfw-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Refuse to write over an existing path unless asked. */
export async function checkWritableTarget(target: string, opts: AtomicOptions = {}): Promise<void> {
  if (!opts.overwrite && (await exists(target))) {
    throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: target });
  }
}

/** Throw when an output path is one of the input paths. */
export function refuseOverwritingInput(output: string, inputs: readonly string[]): void {
  const out = resolve(output);
  for (const input of inputs) {
    if (resolve(input) === out) throw new InvalidArgumentError('output is the same path as an input; choose another output', { file: output });
  }
}

/** ByteSink over a temporary file renamed onto `target` by finish(). */
export class AtomicFileSink implements ByteSink {
  position = 0;
  private closed = false;
  private constructor(readonly name: string, readonly tempPath: string, private handle: FileHandle, private readonly opts: AtomicOptions) {}

  static async create(target: string, opts: AtomicOptions = {}): Promise<AtomicFileSink> {
    await checkWritableTarget(target, opts);
    await mkdir(dirname(target), { recursive: true });
    const temp = tempPathFor(target);
    try {
      return new AtomicFileSink(target, temp, await open(temp, 'wx'), opts);
    } catch (cause) {
      throw new IoError(`cannot create output: ${(cause as Error).message}`, { file: target, cause });
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new IoError('write after finish/abort', { file: this.name });
    let done = 0;
    try {
      while (done < bytes.byteLength) {
        // One call writes at most 2^31 − 1 bytes (fs's limit): larger tensors go in 1 GiB steps.
        const { bytesWritten } = await this.handle.write(bytes, done, Math.min(bytes.byteLength - done, 0x40000000), this.position + done);
        done += bytesWritten;
      }
    } catch (cause) {
      await this.abort();
      throw new IoError(`write failed: ${(cause as Error).message}`, { file: this.name, offset: this.position, cause });
    }
    this.position += done;
  }

  /** Overwrite bytes already written (a zip member's CRC known only after its data). */
  async patch(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new IoError('patch after finish/abort', { file: this.name });
    if (offset < 0 || offset + bytes.byteLength > this.position) throw new IoError('patch outside what was written', { file: this.name, offset });
    try {
      let done = 0;
      while (done < bytes.byteLength) done += (await this.handle.write(bytes, done, bytes.byteLength - done, offset + done)).bytesWritten;
    } catch (cause) {
      await this.abort();
      throw new IoError(`write failed: ${(cause as Error).message}`, { file: this.name, offset, cause });
    }
  }

  async finish(): Promise<void> {
    if (this.closed) throw new IoError('finish after finish/abort', { file: this.name });
    this.closed = true;
    try {
      await this.handle.sync();
      await this.handle.close();
      await checkWritableTarget(this.name, this.opts);
      await rename(this.tempPath, this.name);
    } catch (cause) {
      await rm(this.tempPath, { force: true });
      throw cause instanceof InvalidArgumentError ? cause : new IoError(`cannot move output into place: ${(cause as Error).message}`, { file: this.name, cause });
    }
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await rm(this.tempPath, { force: true });
  }
}

/** Create an atomic file sink for `target`. */
export function createFileSink(target: string, opts: AtomicOptions = {}): Promise<AtomicFileSink> {
  return AtomicFileSink.create(target, opts);
}

/**
 * A group of output files (checkpoint `.index` + `.data-*`, tfjs `model.json` + shards, a
 * folder of `.npy`) committed together: each is written under a temporary name and all are
 * renamed only when every one has been written. `abort()` removes every temporary file.
 */
export class AtomicFileSet {
  private readonly sinks: AtomicFileSink[] = [];
  private readonly tempPaths: { temp: string; target: string }[] = [];
  constructor(private readonly opts: AtomicOptions = {}) {}

  /** A sink for one member of the set. */
  async sink(target: string): Promise<AtomicFileSink> {
    await checkWritableTarget(target, this.opts);
    const s = await AtomicFileSink.create(target, { overwrite: true });
    this.sinks.push(s);
    return s;
  }

  /** A temporary path for a member written by a library that wants a path (h5wasm). */
  async path(target: string): Promise<string> {
    await checkWritableTarget(target, this.opts);
    await mkdir(dirname(target), { recursive: true });
    const temp = tempPathFor(target);
    this.tempPaths.push({ temp, target });
    return temp;
  }

  async commit(): Promise<void> {
    for (const s of this.sinks) await (s as unknown as { handle: FileHandle }).handle.sync().catch(() => undefined);
    // Check every target first so nothing is renamed when one would be refused.
    for (const s of this.sinks) await checkWritableTarget(s.name, this.opts);
    for (const p of this.tempPaths) await checkWritableTarget(p.target, this.opts);
    for (const s of this.sinks) await s.finish();
    for (const p of this.tempPaths) await rename(p.temp, p.target);
  }

  async abort(): Promise<void> {
    for (const s of this.sinks) await s.abort();
    for (const p of this.tempPaths) await rm(p.temp, { force: true, recursive: true });
  }
}

/**
 * Run `write(tempPath)` to produce a file or directory at a temporary path beside `target`,
 * then rename it into place; on any error the temporary output is removed.
 */
export async function writeAtomically<T>(target: string, write: (tempPath: string) => Promise<T>, opts: AtomicOptions = {}): Promise<T> {
  await checkWritableTarget(target, opts);
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const result = await write(temp);
    await checkWritableTarget(target, opts);
    if (opts.overwrite && (await exists(target))) {
      // Directories cannot be renamed over; move the old one aside first, then drop it.
      const old = tempPathFor(target);
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, target);
    }
    return result;
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}
