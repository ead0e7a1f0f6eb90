/**
 * Node entry: open a model.json by path (shards resolved beside it) and write a model
 * folder atomically (every file under a temporary name, all renamed together).
 */
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { AtomicFolder, dirnameLocation, joinLocation, openLocation, readLocation, type AtomicOptions } from '@tfweights/core/node';
import { InvalidArgumentError, isRemoteLocation, RefusedError, type ByteSink, type Tensor, type TensorInfo } from '@tfweights/core';
import { TfjsReader } from '../reader.js';
import { TfjsCollectingWriter, TfjsWriter, writeTfjs, type TfjsOutput, type TfjsWriteOptions } from '../writer.js';
import { checkShardPath, type ModelJson } from '../model-json.js';

/** Open `model.json` at `path` (a file or a URL); shard paths are resolved relative to its folder. */
export async function openTfjsModel(path: string): Promise<TfjsReader> {
  const text = await readLocation(path, 256 * 1024 * 1024);
  const remote = isRemoteLocation(path);
  const dir = dirnameLocation(remote ? path : resolve(path));
  return TfjsReader.open(text, {
    name: path,
    resolve: async (p) => {
      if (isAbsolute(p) || /^[a-z]+:\/\//i.test(p)) throw new InvalidArgumentError('shard path must be relative to model.json', { file: path, entry: p });
      const full = remote ? joinLocation(dir, p) : join(dir, p);
      const rel = remote ? posix.normalize(p) : relative(dir, full);
      if (rel.startsWith('..') || isAbsolute(rel)) throw new RefusedError('shard path leaves the model folder', { file: path, entry: p });
      return openLocation(full);
    },
  });
}

/**
 * A TfjsOutput writing a folder as a whole (core's AtomicFolder): a forced overwrite leaves no
 * old shard behind, and a folder holding no `model.json` (someone else's) is refused.
 */
export class DirectoryOutput implements TfjsOutput {
  private folder: Promise<AtomicFolder> | undefined;
  constructor(readonly dir: string, private readonly opts: AtomicOptions & { modelJsonName?: string } = {}) {}
  private get modelJson(): string {
    return this.opts.modelJsonName ?? 'model.json';
  }
  async file(name: string): Promise<ByteSink> {
    checkShardPath(name, this.dir, 'output file');
    this.folder ??= AtomicFolder.create(this.dir, this.modelJson, this.opts);
    return (await this.folder).sink(name, { last: name === this.modelJson });
  }
  async commit(): Promise<void> {
    // A model with no weights still commits its folder.
    this.folder ??= AtomicFolder.create(this.dir, this.modelJson, this.opts);
    await (await this.folder).commit();
  }
  async abort(): Promise<void> {
    const f = await this.folder?.catch(() => undefined);
    await f?.abort();
  }
}

export interface WriteTfjsModelOptions extends TfjsWriteOptions, AtomicOptions {}

/** Streaming writer into `dir` (weights planned from `infos`, in manifest order). */
export function createTfjsWriter(dir: string, infos: readonly TensorInfo[], opts: WriteTfjsModelOptions = {}): Promise<TfjsWriter> {
  return TfjsWriter.create(new DirectoryOutput(dir, opts), infos, opts);
}

/** Writer into `dir` that needs no plan (collects tensors in memory). */
export function createCollectingTfjsWriter(dir: string, opts: WriteTfjsModelOptions = {}): TfjsCollectingWriter {
  return new TfjsCollectingWriter(new DirectoryOutput(dir, opts), opts);
}

/** Write `model.json` + shards into `dir` atomically; returns the model.json written. */
export function writeTfjsModel(dir: string, tensors: readonly Tensor[], opts: WriteTfjsModelOptions = {}): Promise<ModelJson> {
  return writeTfjs(new DirectoryOutput(dir, opts), tensors, opts);
}

export { TfjsReader } from '../reader.js';
export { readerIOHandler } from '../io-handler.js';
