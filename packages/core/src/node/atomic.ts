/**
 * Atomic outputs: everything is written to a temporary name beside the target and renamed
 * into place at the end, so a failed or interrupted write never leaves a half-written file
 * and never touches an existing one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { ByteSink } from '../byte-sink.js';
import { InvalidArgumentError, IoError } from '../errors.js';
import { basenameRemote, isRemoteLocation } from '../remote/location-url.js';
import { requireWritable } from './locations.js';
import { S3UploadSink, s3List, s3Size } from './s3.js';
import { commitRemoteSinks, uploadLocalPath } from './upload.js';

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

/** Refuse to write over an existing path (or object, or S3 folder) unless asked; refuse unwritable schemes. */
export async function checkWritableTarget(target: string, opts: AtomicOptions = {}): Promise<void> {
  if (isRemoteLocation(target)) {
    requireWritable(target);
    if (!opts.overwrite && ((await s3Size(target)) !== undefined || (await s3List(target)).length > 0)) {
      throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: target });
    }
    return;
  }
  if (!opts.overwrite && (await exists(target))) {
    throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: target });
  }
}

/** Throw when an output path is one of the input paths. */
export function refuseOverwritingInput(output: string, inputs: readonly string[]): void {
  const norm = (p: string) => (isRemoteLocation(p) ? p.replace(/\/+$/, '') : resolve(p));
  const out = norm(output);
  for (const input of inputs) {
    if (norm(input) === out) throw new InvalidArgumentError('output is the same path as an input; choose another output', { file: output });
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
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.byteLength - done, this.position + done);
        done += bytesWritten;
      }
    } catch (cause) {
      await this.abort();
      throw new IoError(`write failed: ${(cause as Error).message}`, { file: this.name, offset: this.position, cause });
    }
    this.position += done;
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

/**
 * Create an atomic sink for `target`: a temporary file renamed into place, or for `s3://` a
 * multipart upload completed by finish() (nothing appears before, nothing stays after abort()).
 */
export function createFileSink(target: string, opts: AtomicOptions = {}): Promise<ByteSink> {
  if (isRemoteLocation(target)) {
    requireWritable(target);
    return S3UploadSink.create(target, opts);
  }
  return AtomicFileSink.create(target, opts);
}

/** A local temporary folder for a remote target's staged copy. */
async function stagingPathFor(target: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'tfw-upload-')), basenameRemote(target) || 'output');
}

/**
 * A group of output files (checkpoint `.index` + `.data-*`, tfjs `model.json` + shards, a
 * folder of `.npy`) committed together: each is written under a temporary name and all are
 * renamed only when every one has been written. `abort()` removes every temporary file.
 */
export class AtomicFileSet {
  private readonly sinks: AtomicFileSink[] = [];
  private readonly tempPaths: { temp: string; target: string }[] = [];
  /** s3:// members: uploads completed at commit, index-like files last. */
  private readonly remote: ByteSink[] = [];
  constructor(private readonly opts: AtomicOptions = {}) {}

  /** A sink for one member of the set (its finish() is commit's job). */
  async sink(target: string): Promise<ByteSink> {
    await checkWritableTarget(target, this.opts);
    if (isRemoteLocation(target)) {
      const s = await S3UploadSink.create(target, { overwrite: true });
      this.remote.push(s);
      return { get name() { return s.name; }, get position() { return s.position; }, write: (b) => s.write(b), finish: async () => undefined, abort: () => s.abort() };
    }
    const s = await AtomicFileSink.create(target, { overwrite: true });
    this.sinks.push(s);
    return s;
  }

  /** A temporary path for a member written by a library that wants a path (h5wasm). */
  async path(target: string): Promise<string> {
    await checkWritableTarget(target, this.opts);
    const temp = isRemoteLocation(target) ? await stagingPathFor(target) : tempPathFor(target);
    if (!isRemoteLocation(target)) await mkdir(dirname(target), { recursive: true });
    this.tempPaths.push({ temp, target });
    return temp;
  }

  async commit(): Promise<void> {
    for (const s of this.sinks) await (s as unknown as { handle: FileHandle }).handle.sync().catch(() => undefined);
    // Check every target first so nothing is renamed when one would be refused.
    for (const s of this.sinks) await checkWritableTarget(s.name, this.opts);
    for (const p of this.tempPaths) await checkWritableTarget(p.target, this.opts);
    for (const s of this.sinks) await s.finish();
    for (const p of this.tempPaths) {
      if (isRemoteLocation(p.target)) {
        await uploadLocalPath(p.temp, p.target, true);
        await rm(dirname(p.temp), { force: true, recursive: true });
      } else await rename(p.temp, p.target);
    }
    if (this.remote.length > 0) await commitRemoteSinks(this.remote);
  }

  async abort(): Promise<void> {
    for (const s of this.sinks) await s.abort();
    for (const s of this.remote) await s.abort();
    for (const p of this.tempPaths) await rm(isRemoteLocation(p.target) ? dirname(p.temp) : p.temp, { force: true, recursive: true });
  }
}

/**
 * Run `write(tempPath)` to produce a file or directory at a temporary path beside `target`,
 * then rename it into place; on any error the temporary output is removed.
 */
export async function writeAtomically<T>(target: string, write: (tempPath: string) => Promise<T>, opts: AtomicOptions = {}): Promise<T> {
  await checkWritableTarget(target, opts);
  if (isRemoteLocation(target)) {
    // Written locally first (libraries that want a path), then uploaded; nothing remote until complete.
    const staged = await stagingPathFor(target);
    try {
      const result = await write(staged);
      await uploadLocalPath(staged, target, Boolean(opts.overwrite));
      return result;
    } finally {
      await rm(dirname(staged), { recursive: true, force: true });
    }
  }
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
