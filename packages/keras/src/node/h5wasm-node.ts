/**
 * h5wasm's Node build (host files through Emscripten NODERAWFS), loaded once and confined:
 * libhdf5 may open for reading only the files a reader registered with `allowFile`. HDF5
 * external raw storage (H5Pset_external), external links and virtual datasets make libhdf5
 * open other host files — `/etc/passwd` through a crafted `.h5` — and h5wasm exposes no
 * dataset-creation property list to check for external storage, so the guard sits where every
 * such read must pass: Emscripten's `FS.open`. Refused paths are remembered so the reader can
 * name them in a RefusedError. libhdf5's error stack is routed into thrown errors
 * (h5wasm's throwing error handler) instead of HDF5-DIAG dumps on stderr.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { H5Api, H5Module, H5Wasm } from '../h5-api.js';

let api: Promise<H5Api> | undefined;
let instances = 0;

/**
 * Set by the converter's CLI bundle (an esbuild define): its copy of h5wasm's Node entry,
 * relative to the bundle, which reads libhdf5's wasm from a file instead of parsing it out of
 * a 4 MB string (apps/converter/scripts/h5wasm-copy.mjs). Unset everywhere else: the package.
 */
declare const __TFW_H5WASM_COPY__: string | undefined;
const bundledCopy = typeof __TFW_H5WASM_COPY__ === 'string' ? new URL(__TFW_H5WASM_COPY__, import.meta.url).href : undefined;

/** Emscripten's errno for EACCES (its own numbering, not the host's). */
const EMSCRIPTEN_EACCES = 2;
/** Where Emscripten's tmpfile() (used by the throwing error handler to format the stack) lives. */
const TMPFILE = /^\/tmp\/tmpfile_[A-Za-z0-9]{6}$/;

interface FsStream {
  path?: string;
  fd?: number;
}

interface GuardedFs {
  open: (path: unknown, flags?: unknown, mode?: unknown) => unknown;
  close: (stream: FsStream) => void;
  fstat: (fd: number) => object;
  stat: (path: unknown, dontFollow?: unknown) => object;
  lstat: (path: unknown) => object;
  /** Emscripten's open streams, indexed by descriptor (NODERAWFS: each holds a host descriptor). */
  streams: (FsStream | null | undefined)[];
  ErrnoError: new (errno: number) => Error;
}

function isReadOnly(flags: unknown): boolean {
  if (typeof flags === 'string') return flags === 'r';
  return typeof flags !== 'number' || (flags & 3) === 0;
}

function confine(module: H5Module): Pick<H5Api, 'allowFile' | 'takeRefused'> {
  const allowed = new Map<string, number>();
  let refused: string[] = [];
  const fs = module.FS as unknown as GuardedFs;
  const open = fs.open;
  fs.open = function guardedOpen(path: unknown, flags?: unknown, mode?: unknown) {
    if (typeof path === 'string' && isReadOnly(flags) && !TMPFILE.test(path) && !allowed.has(resolve(path))) {
      if (refused.length < 16) refused.push(path);
      throw new fs.ErrnoError(EMSCRIPTEN_EACCES);
    }
    return open.call(this, path, flags, mode);
  };
  return {
    allowFile(path: string): () => void {
      const key = resolve(path);
      allowed.set(key, (allowed.get(key) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const n = (allowed.get(key) ?? 1) - 1;
        if (n <= 0) allowed.delete(key);
        else allowed.set(key, n);
      };
    },
    takeRefused(): string[] {
      const out = refused;
      refused = [];
      return out;
    },
  };
}

/** File URL of h5wasm's Node entry (import.meta.resolve is missing under some test runners). */
function h5wasmUrl(): string {
  const viaMeta = (import.meta as { resolve?: (s: string) => string }).resolve?.('h5wasm/node');
  if (viaMeta) return viaMeta;
  for (const dir of createRequire(import.meta.url).resolve.paths('h5wasm') ?? []) {
    const entry = join(dir, 'h5wasm', 'dist', 'node', 'hdf5_hl.js');
    if (existsSync(entry)) return pathToFileURL(entry).href;
  }
  throw new Error('cannot find h5wasm to reload it after a wasm abort');
}

/**
 * What Emscripten prints on stderr when libhdf5 aborts or the heap cannot grow (our typed error
 * says it, in one line), and its warning for each odd byte in a damaged file's names (the
 * names come out with replacement characters; the warning says nothing more).
 */
const ABORT_NOISE = /^(Aborted\(|Cannot enlarge memory|native code called abort|warning: Invalid UTF-8 leading byte)/;

/** console.error without Emscripten's abort lines (anything else passes through). */
function withoutAbortNoise(real: typeof console.error): typeof console.error {
  return (...args: unknown[]) => {
    if (typeof args[0] === 'string' && ABORT_NOISE.test(args[0])) return;
    real.apply(console, args);
  };
}

async function load(markBroken: () => void): Promise<H5Api> {
  // A fresh module instance per load: after a wasm abort the old instance is unusable, and
  // hdf5_hl.js binds its module at import time, so a new import URL gives a new instance.
  // Emscripten binds its `err` (abort messages) to `console.error` while the module is
  // created (between the import and `ready`); h5wasm passes no printErr, so the filter is put
  // in place for that moment.
  let h5: { default: H5Wasm };
  let module: H5Module;
  const realError = console.error;
  console.error = withoutAbortNoise(realError);
  try {
    const n = instances++;
    const entry = bundledCopy ?? (n === 0 ? 'h5wasm/node' : h5wasmUrl());
    h5 = (await import(n === 0 ? entry : `${entry}?instance=${n}`)) as { default: H5Wasm };
    module = await h5.default.ready;
  } finally {
    console.error = realError;
  }
  module.activate_throwing_error_handler();
  const out: H5Api = {
    h5: h5.default, module, ...confine(module),
    markBroken: () => {
      broken.add(out);
      markBroken();
    },
  };
  return out;
}

const broken = new WeakSet<H5Api>();

/** True once `api`'s module aborted (or overflowed its stack): it is not to be used again. */
export function isBrokenH5Api(api: H5Api): boolean {
  return broken.has(api);
}

/** The ready, confined h5wasm module for Node (a new one once the last one aborted). */
export function nodeH5Api(): Promise<H5Api> {
  if (!api) {
    const p: Promise<H5Api> = load(() => {
      if (api === p) api = undefined;
    });
    api = p;
  }
  return api;
}

/** The module's open host-file streams (standard streams and the error handler's temporary files left out). */
export function fileStreams(api: H5Api): object[] {
  const fs = api.module.FS as unknown as GuardedFs;
  return fs.streams.filter((s, fd): s is FsStream => fd > 2 && !!s && typeof s.path === 'string' && !TMPFILE.test(s.path));
}

/**
 * Close those of `streams` still open, and every temporary file of the error handler (each
 * call that formats an error stack opens one; a throw through the wasm frames skips its
 * fclose). Returns how many of `streams` were still open: libhdf5 leaked that file.
 */
export function closeLeftoverStreams(api: H5Api, streams: readonly object[]): number {
  const fs = api.module.FS as unknown as GuardedFs;
  const open = new Set(fs.streams);
  let leaked = 0;
  const close = (s: FsStream): void => {
    try {
      fs.close(s);
    } catch {
      // Closed under us: nothing left to release.
    }
  };
  for (const s of streams) {
    if (!open.has(s as FsStream)) continue;
    leaked++;
    close(s as FsStream);
  }
  for (const [fd, s] of fs.streams.entries()) if (fd > 2 && s && typeof s.path === 'string' && TMPFILE.test(s.path)) close(s);
  return leaked;
}

const isolated = new WeakSet<object>();

/**
 * Give every host file libhdf5 opens in this module an identity of its own. libhdf5 keeps one
 * record per open file, keyed by the (device, inode) of fstat, and takes a file whose key
 * matches for one already open. A file leaked on a failure path (see closeLeftoverStreams)
 * keeps its record after its descriptor is closed, so the next file with that inode (the
 * same path rewritten, or a freed inode reused) would be read through the dead record; with
 * an inode number per open that never repeats, a leaked record matches nothing. The cost: the
 * same file opened twice is two files to libhdf5 (fine for reading).
 */
export function isolateFileIdentities(api: H5Api): void {
  const fs = api.module.FS as unknown as GuardedFs;
  if (isolated.has(fs)) return;
  isolated.add(fs);
  const ids = new WeakMap<object, number>();
  /** `dev:ino` of a real file → the identity of its newest open. */
  const newest = new Map<string, number>();
  let next = 1;
  const realKey = (st: object): string => `${(st as { dev: number }).dev}:${(st as { ino: number }).ino}`;
  // The real stat underneath (its fields read through the prototype), with our inode number.
  const withId = (st: object, id: number): object => Object.create(st, { ino: { value: 2 ** 40 + id, enumerable: true } }) as object;
  const { open, fstat, stat, lstat } = fs;
  fs.open = function isolatedOpen(this: unknown, path: unknown, flags?: unknown, mode?: unknown) {
    const stream = open.call(this, path, flags, mode) as FsStream;
    if (typeof path === 'string' && !TMPFILE.test(path) && stream.fd !== undefined) {
      const id = next++;
      ids.set(stream, id);
      newest.set(realKey(fstat.call(fs, stream.fd)), id);
    }
    return stream;
  };
  fs.fstat = function isolatedFstat(this: unknown, fd: number) {
    const st = fstat.call(this, fd);
    const stream = fs.streams[fd];
    const id = stream ? ids.get(stream) : undefined;
    return id === undefined ? st : withId(st, id);
  };
  // Stats by path agree with the newest open of that file: opening a symlink, libhdf5 compares
  // the stat of the link's target with the fstat of what it opened (H5F__build_actual_name), and
  // a mismatch fails the open (it then looks for driver plugins).
  const byPath = <A extends unknown[]>(real: (...a: A) => object) => function statByPath(this: unknown, ...args: A): object {
    const st = real.apply(this, args);
    const id = newest.get(realKey(st));
    return id === undefined ? st : withId(st, id);
  };
  fs.stat = byPath(stat);
  fs.lstat = byPath(lstat);
}
