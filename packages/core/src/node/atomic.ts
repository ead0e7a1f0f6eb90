/**
 * Atomic outputs: everything is written to a temporary name beside the target and renamed
 * into place at the end, so a failed or interrupted write never leaves a half-written file
 * and never touches an existing one.
 */
import { readdirSync } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { ByteSink } from '../byte-sink.js';
import { BufferedFile } from './buffered-file.js';
import { FolderMembers } from './folder-members.js';
import { InvalidArgumentError, IoError } from '../errors.js';
import { basenameRemote, isRemoteLocation } from '../remote/location-url.js';
import { joinLocation, requireWritable } from './locations.js';
import { S3UploadSink, s3List, s3Size } from './s3.js';
import { commitRemoteSinks, uploadLocalPath } from './upload.js';
import { critically, trackTemp, untrackTemp } from './temp-registry.js';

export interface AtomicOptions {
  /** Replace an existing target (default false: refuse). */
  overwrite?: boolean;
}

/** A temporary path beside `target`, named so it is obviously ours. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tfw-${uniqueSuffix()}.tmp`);
}

/**
 * `<pid>-<8 random hex digits>`, for temporary names. Web Crypto's global rather than
 * `node:crypto`, whose import alone cost every CLI start about 7 ms of CPU.
 */
export function uniqueSuffix(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(4));
  return `${process.pid}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** True when something (a file, a folder, a symlink, dangling or not) is at `path`. */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

const TEMP_NAME = /^\.(.+)\.tfw-(\d+)-[0-9a-f]{8}\.tmp$/;
/** Stale temporary names per folder, found once per process (a folder of 20,000 outputs is listed once). */
const staleByDir = new Map<string, Map<string, string[]>>();

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temporary files beside `target` left by a run that was killed (kill -9, power loss). */
export function staleTempsFor(target: string): string[] {
  const dir = dirname(resolve(target));
  let byBase = staleByDir.get(dir);
  if (!byBase) {
    byBase = new Map();
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // No folder yet: nothing stale.
    }
    for (const n of names) {
      const m = TEMP_NAME.exec(n);
      if (m && !alive(Number(m[2]))) byBase.set(m[1]!, [...(byBase.get(m[1]!) ?? []), join(dir, n)]);
    }
    staleByDir.set(dir, byBase);
  }
  return byBase.get(basename(target)) ?? [];
}

/**
 * Refuse to write over an existing path unless asked; name temporary files a killed run left
 * beside it (removed when overwrite is set).
 */
export async function checkWritableTarget(target: string, opts: AtomicOptions = {}): Promise<void> {
  if (isRemoteLocation(target)) {
    // Remote (s3://): an existing object or folder is refused unless asked; other schemes cannot be written.
    requireWritable(target);
    if (!opts.overwrite && ((await s3Size(target)) !== undefined || (await s3List(target)).length > 0)) {
      throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: target });
    }
    return;
  }
  await clearStaleTemps(target, opts);
  if (!opts.overwrite && (await exists(target))) {
    throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: target });
  }
}

/** Name (or, with overwrite, remove) the temporary files a killed run left beside `target`. */
async function clearStaleTemps(target: string, opts: AtomicOptions): Promise<void> {
  const stale = staleTempsFor(target);
  if (stale.length > 0) {
    if (!opts.overwrite) {
      throw new InvalidArgumentError(`an interrupted earlier run left ${stale.map((s) => basename(s)).join(', ')} beside the output (pass overwrite / --force to remove it)`, { file: target });
    }
    for (const s of stale) await rm(s, { recursive: true, force: true });
    staleByDir.get(dirname(resolve(target)))?.delete(basename(target));
  }
}

/**
 * Move a finished temporary file onto `target`. Without overwrite, a hard link is made first
 * (link() refuses an existing name atomically), so of two conversions racing to one output
 * one wins whole and the other fails cleanly; with overwrite, rename() replaces the target
 * whole (an existing symlink is replaced, not followed).
 */
async function moveIntoPlace(temp: string, target: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await rename(temp, target);
    return;
  }
  try {
    await link(temp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new InvalidArgumentError('output already exists (another run wrote it meanwhile; pass overwrite / --force to replace it)', { file: target });
    // File systems without hard links: check, then rename.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EISDIR') {
      await checkWritableTarget(target, { overwrite: false });
      await rename(temp, target);
      return;
    }
    throw err;
  }
  await unlink(temp);
}

/** Throw when an output path is one of the input paths. */
export function refuseOverwritingInput(output: string, inputs: readonly string[]): void {
  const norm = (p: string) => (isRemoteLocation(p) ? p.replace(/\/+$/, '') : resolve(p));
  const out = norm(output);
  for (const input of inputs) {
    if (norm(input) === out) throw new InvalidArgumentError('output is the same path as an input; choose another output', { file: output });
  }
}

/** The IoError for a failed write; a write that ran behind its call says where it failed. */
function writeFailure(file: string, cause: unknown, at?: number): IoError {
  const offset = (cause as { offset?: unknown }).offset;
  return new IoError(`write failed: ${(cause as Error).message}`, { file, cause, ...(typeof offset === 'number' ? { offset } : at !== undefined ? { offset: at } : {}) });
}

/** ByteSink over a temporary file renamed onto `target` by finish(); small writes are buffered. */
export class AtomicFileSink implements ByteSink {
  private closed = false;
  /** Synced and not written since (a set syncs every member before finishing each). */
  private synced = false;
  private constructor(
    readonly name: string, readonly tempPath: string, private readonly file: BufferedFile, private readonly opts: AtomicOptions,
    /** The first folder this sink created for its target, if any (removed again when interrupted). */
    private readonly madeDir: string | undefined,
  ) {}

  static async create(target: string, opts: AtomicOptions = {}): Promise<AtomicFileSink> {
    await checkWritableTarget(target, opts);
    // An output folder (tfjs, npy) made for this run is partial output too until the commit.
    const madeDir = await mkdir(dirname(target), { recursive: true });
    if (madeDir) trackTemp(madeDir);
    const temp = tempPathFor(target);
    let file: BufferedFile;
    try {
      file = await BufferedFile.create(temp);
    } catch (cause) {
      throw new IoError(`cannot create output: ${(cause as Error).message}`, { file: target, cause });
    }
    trackTemp(temp);
    return new AtomicFileSink(target, temp, file, opts, madeDir);
  }

  get position(): number {
    return this.file.size;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.put(bytes, false);
  }

  /** Like write, the write left running (see ByteSink.writeBehind). */
  async writeBehind(bytes: Uint8Array): Promise<void> {
    await this.put(bytes, true);
  }

  private async put(bytes: Uint8Array, behind: boolean): Promise<void> {
    if (this.closed) throw new IoError('write after finish/abort', { file: this.name });
    const at = this.file.size;
    this.synced = false;
    try {
      await (behind ? this.file.writeBehind(bytes) : this.file.write(bytes));
    } catch (cause) {
      await this.abort();
      throw writeFailure(this.name, cause, at);
    }
  }

  /** Overwrite bytes already written (a zip member's CRC known only after its data). */
  async patch(offset: number, bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new IoError('patch after finish/abort', { file: this.name });
    if (offset < 0 || offset + bytes.byteLength > this.file.size) throw new IoError('patch outside what was written', { file: this.name, offset });
    this.synced = false;
    try {
      await this.file.patch(offset, bytes);
    } catch (cause) {
      await this.abort();
      throw writeFailure(this.name, cause, offset);
    }
  }

  /** Flush and fsync without finishing (a set syncs every member before its renames). */
  async sync(): Promise<void> {
    if (this.closed) return;
    try {
      await this.file.sync();
      this.synced = true;
    } catch (cause) {
      await this.abort();
      throw writeFailure(this.name, cause);
    }
  }

  async finish(): Promise<void> {
    if (this.closed) throw new IoError('finish after finish/abort', { file: this.name });
    // A failed write (one run behind, too) is a write failure, not a failed move.
    if (!this.synced) await this.sync();
    this.closed = true;
    try {
      await this.file.close();
      if (!this.opts.overwrite && (await exists(this.name))) {
        throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: this.name });
      }
      await moveIntoPlace(this.tempPath, this.name, this.opts.overwrite === true);
    } catch (cause) {
      await this.file.close().catch(() => undefined);
      await rm(this.tempPath, { force: true });
      throw cause instanceof InvalidArgumentError ? cause : new IoError(`cannot move output into place: ${(cause as Error).message}`, { file: this.name, cause });
    } finally {
      untrackTemp(this.tempPath);
      if (this.madeDir) untrackTemp(this.madeDir);
    }
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.file.close().catch(() => undefined);
    }
    await rm(this.tempPath, { force: true });
    untrackTemp(this.tempPath);
    if (this.madeDir) {
      untrackTemp(this.madeDir);
      await rmdir(this.madeDir).catch(() => undefined); // only when empty: other members may still be in it
    }
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
  private readonly sinks: { sink: AtomicFileSink; last: boolean }[] = [];
  private readonly tempPaths: { temp: string; target: string; last: boolean }[] = [];
  /** s3:// members: uploads completed at commit, `last` ones (and index-like names) last. */
  private readonly remote: ByteSink[] = [];
  constructor(private readonly opts: AtomicOptions = {}) {}

  /**
   * A sink for one member of the set. `last`: the member that makes the set visible (a
   * checkpoint's `.index`, tfjs `model.json`): renamed after every other member, and an old
   * copy of it is removed before any other member is replaced, so a reader never pairs an
   * old index with new data.
   */
  async sink(target: string, opts: { last?: boolean } = {}): Promise<ByteSink> {
    await checkWritableTarget(target, this.opts);
    if (isRemoteLocation(target)) {
      const s = await S3UploadSink.create(target, { overwrite: true });
      this.remote.push(s);
      // finish() is the commit's job: only then is any upload completed.
      return { get name() { return s.name; }, get position() { return s.position; }, write: (b) => s.write(b), finish: async () => undefined, abort: () => s.abort() };
    }
    const s = await AtomicFileSink.create(target, { overwrite: true });
    this.sinks.push({ sink: s, last: opts.last === true });
    return s;
  }

  /** A temporary path for a member written by a library that wants a path (h5wasm). */
  async path(target: string, opts: { last?: boolean } = {}): Promise<string> {
    await checkWritableTarget(target, this.opts);
    const remote = isRemoteLocation(target);
    if (!remote) await mkdir(dirname(target), { recursive: true });
    const temp = remote ? await stagingPathFor(target) : tempPathFor(target);
    trackTemp(remote ? dirname(temp) : temp);
    this.tempPaths.push({ temp, target, last: opts.last === true });
    return temp;
  }

  /** Rename every member into place, the `last` ones last; signals wait until it is done. */
  async commit(): Promise<void> {
    await critically(async () => {
      for (const { sink } of this.sinks) await sink.sync();
      // Check every target first so nothing is renamed when one would be refused.
      for (const { sink } of this.sinks) await checkWritableTarget(sink.name, this.opts);
      for (const p of this.tempPaths) await checkWritableTarget(p.target, this.opts);
      const lastTargets = [...this.sinks.filter((s) => s.last).map((s) => s.sink.name), ...this.tempPaths.filter((p) => p.last).map((p) => p.target)];
      for (const t of lastTargets) await rm(t, { force: true });
      for (const last of [false, true]) {
        for (const s of this.sinks) if (s.last === last) await s.sink.finish();
        for (const p of this.tempPaths) {
          if (p.last !== last) continue;
          if (isRemoteLocation(p.target)) {
            await uploadLocalPath(p.temp, p.target, true);
            await rm(dirname(p.temp), { force: true, recursive: true });
            untrackTemp(dirname(p.temp));
            continue;
          }
          await rename(p.temp, p.target);
          untrackTemp(p.temp);
        }
      }
      if (this.remote.length > 0) await commitRemoteSinks(this.remote);
    });
  }

  async abort(): Promise<void> {
    // Newest first, so the sink that made the output folder removes it once it is empty.
    for (const { sink } of [...this.sinks].reverse()) await sink.abort();
    for (const s of this.remote) await s.abort();
    for (const p of this.tempPaths) {
      const staged = isRemoteLocation(p.target) ? dirname(p.temp) : p.temp;
      await rm(staged, { force: true, recursive: true });
      untrackTemp(staged);
    }
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
    trackTemp(dirname(staged));
    try {
      const result = await write(staged);
      await uploadLocalPath(staged, target, Boolean(opts.overwrite));
      return result;
    } finally {
      await rm(dirname(staged), { recursive: true, force: true });
      untrackTemp(dirname(staged));
    }
  }
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  trackTemp(temp);
  try {
    const result = await write(temp);
    await critically(async () => {
      await checkWritableTarget(target, opts);
      await swapIntoPlace(temp, target);
    });
    return result;
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  } finally {
    untrackTemp(temp);
  }
}

/**
 * Rename `temp` onto `target`. Folders cannot be renamed over, so an existing target is moved
 * aside first (put back if the rename in fails, or if the process dies before the new one is
 * in place), then removed. Callers have already decided the target may be replaced.
 */
async function swapIntoPlace(temp: string, target: string): Promise<void> {
  if (!(await exists(target))) {
    await rename(temp, target);
    return;
  }
  const old = tempPathFor(target);
  trackTemp(old, target);
  await rename(target, old);
  try {
    await rename(temp, target);
  } catch (err) {
    await rename(old, target);
    untrackTemp(old);
    throw err;
  }
  untrackTemp(old);
  trackTemp(old);
  await rm(old, { recursive: true, force: true });
  untrackTemp(old);
}

/**
 * Refuse a folder output where a folder (or file) is that tfweights may not replace: a
 * non-empty folder without `marker` (the member that names the set: tfjs `model.json`, the
 * npy folder's `index.json`) is someone else's, even with overwrite, since replacing it would
 * delete files we never wrote; one with it needs overwrite. An empty folder is fine.
 */
async function checkFolderTarget(dir: string, marker: string, opts: AtomicOptions): Promise<void> {
  await clearStaleTemps(dir, opts);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new InvalidArgumentError('output folder is a file; choose another output', { file: dir });
    throw new IoError(`cannot list the output folder: ${(err as Error).message}`, { file: dir, cause: err });
  }
  if (names.length === 0) return;
  if (!names.includes(marker)) {
    throw new InvalidArgumentError(`output folder holds files tfweights did not write (no ${marker}); choose a new or empty folder`, { file: dir });
  }
  if (!opts.overwrite) throw new InvalidArgumentError('output already exists (pass overwrite / --force to replace it)', { file: dir });
}

/**
 * An output folder (tfjs `model.json` + shards, a folder of `.npy`) committed as a whole: its
 * members are written into a temporary sibling folder, and commit() swaps that folder in, so
 * the result never mixes old and new files (an old `group1-shard3of3.bin` is gone after a
 * forced overwrite) and a kill at any moment leaves the old folder or the new one. A remote
 * (`s3://`) folder is an AtomicFileSet of uploads completed together at the commit.
 */
export class AtomicFolder {
  private readonly set: AtomicFileSet | undefined;
  private readonly members: FolderMembers | undefined;
  private constructor(
    readonly dir: string, private readonly temp: string, private readonly marker: string, private readonly opts: AtomicOptions,
    /** The first parent folder made for this output, if any (removed again on abort when empty). */
    private readonly madeDir: string | undefined,
    /** `s3://` and the like: no folder to swap, the members are uploads completed together. */
    private readonly remote = false,
  ) {
    if (remote) this.set = new AtomicFileSet(opts);
    else this.members = new FolderMembers(temp, dir);
  }

  /** Check `dir` may be written (see checkFolderTarget) and make the temporary sibling folder. */
  static async create(dir: string, marker: string, opts: AtomicOptions = {}): Promise<AtomicFolder> {
    if (isRemoteLocation(dir)) return new AtomicFolder(dir, dir, marker, opts, undefined, true);
    await checkFolderTarget(dir, marker, opts);
    const madeDir = await mkdir(dirname(dir), { recursive: true });
    if (madeDir) trackTemp(madeDir);
    const temp = tempPathFor(dir);
    trackTemp(temp);
    await mkdir(temp);
    return new AtomicFolder(dir, temp, marker, opts, madeDir);
  }

  /** A sink for the member `name` (relative to the folder). */
  sink(name: string, opts: { last?: boolean } = {}): Promise<ByteSink> {
    if (this.set) return this.set.sink(joinLocation(this.temp, name), opts);
    return this.members!.sink(name);
  }

  /** Finish every member, then swap the folder in; signals wait until it is done. */
  async commit(): Promise<void> {
    if (this.set) return this.set.commit();
    try {
      await this.members!.finishAll();
      await critically(async () => {
        await checkFolderTarget(this.dir, this.marker, this.opts);
        await swapIntoPlace(this.temp, this.dir);
      });
    } catch (err) {
      await this.abort();
      throw err;
    }
    untrackTemp(this.temp);
    if (this.madeDir) untrackTemp(this.madeDir);
  }

  async abort(): Promise<void> {
    if (this.set) return this.set.abort();
    await this.members!.closeAll();
    await rm(this.temp, { recursive: true, force: true });
    untrackTemp(this.temp);
    if (this.madeDir) {
      untrackTemp(this.madeDir);
      await rmdir(this.madeDir).catch(() => undefined);
    }
  }
}
