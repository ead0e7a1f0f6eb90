/**
 * What the user opened, as a small read-only file system: files picked or dropped (with their
 * folder-relative paths), or files under a URL. Readers get ByteSources; nothing is read whole.
 */
import { HttpSource, IoError, RemoteError, type ByteSource } from '@tfweights/core';
import { FileSource } from './file-source.js';
import type { UrlRange } from './h5/range-file.js';

export interface InputSet {
  /** What to call it in the page and in error messages (a file or folder name, or the URL). */
  readonly label: string;
  /** Every relative path, when known (local files); a URL's folder cannot be listed. */
  readonly paths: readonly string[] | undefined;
  exists(path: string): Promise<boolean>;
  source(path: string): Promise<ByteSource>;
  /**
   * An HDF5 file (or `size` bytes of it from `start`: a `.keras` member) for h5wasm's WORKERFS:
   * a local File (sliced, no copy), or a URL range the worker reads lazily.
   */
  hdf5(path: string, part?: { start: number; size: number }): Promise<Blob | UrlRange>;
}

/** A picked file with its path inside the picked folder (`webkitRelativePath`) or its name. */
export interface PickedFile {
  readonly path: string;
  readonly file: File;
}

/** Files picked or dropped. A folder's own name is dropped from the paths (it is the label). */
export class LocalSet implements InputSet {
  readonly label: string;
  readonly paths: readonly string[];
  private readonly byPath = new Map<string, File>();

  constructor(files: readonly PickedFile[]) {
    const parts = files.map((f) => f.path.split('/').filter(Boolean));
    const top = parts[0]?.[0];
    const oneFolder = parts.length > 0 && parts.every((p) => p.length > 1 && p[0] === top);
    files.forEach((f, i) => this.byPath.set((oneFolder ? parts[i]!.slice(1) : parts[i]!).join('/'), f.file));
    this.paths = [...this.byPath.keys()].sort();
    this.label = oneFolder ? `${top}/` : this.paths.length === 1 ? this.paths[0]! : `${this.paths.length} files`;
  }

  async exists(path: string): Promise<boolean> {
    return this.byPath.has(path);
  }

  async source(path: string): Promise<ByteSource> {
    return new FileSource(this.file(path), this.named(path));
  }

  async hdf5(path: string, part?: { start: number; size: number }): Promise<Blob> {
    const f = this.file(path);
    return part ? f.slice(part.start, part.start + part.size) : f;
  }

  private named(path: string): string {
    return this.label.endsWith('/') ? `${this.label}${path}` : path;
  }

  private file(path: string): File {
    const f = this.byPath.get(path);
    if (!f) throw new IoError(`no such file among the ones opened (open its folder, or pick it too)`, { file: this.named(path) });
    return f;
  }
}

/** Files under a folder URL (ending in `/`), fetched by HTTP range requests. */
export class UrlSet implements InputSet {
  readonly paths = undefined;
  private readonly opened = new Map<string, Promise<HttpSource>>();

  constructor(readonly label: string) {}

  /** `label` is a folder URL ending in `/`; paths are relative to it. */
  url(path: string): string {
    return new URL(path, this.label).href;
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.source(path);
      return true;
    } catch (err) {
      if (isCorsOrNetwork(err)) throw err;
      return false;
    }
  }

  source(path: string): Promise<HttpSource> {
    const url = this.url(path);
    let s = this.opened.get(url);
    if (!s) {
      s = HttpSource.open(url);
      this.opened.set(url, s);
      s.catch(() => this.opened.delete(url));
    }
    return s;
  }

  async hdf5(path: string, part?: { start: number; size: number }): Promise<UrlRange> {
    const src = await this.source(path);
    return { url: src.url, start: part?.start ?? 0, size: part?.size ?? src.size };
  }
}

/** A fetch that failed before any response: blocked by CORS, or the host is unreachable. */
export function isCorsOrNetwork(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof TypeError || (e instanceof RemoteError && e.reason === 'network')) return true;
  }
  return false;
}
