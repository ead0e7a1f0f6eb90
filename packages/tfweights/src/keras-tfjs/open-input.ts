/**
 * Node: open a Keras file given as a path, a URL (http(s), s3, gs, hf) or bytes. h5wasm
 * (libhdf5) needs a real file: URLs go through the Keras opener (a `.keras` zip is read with
 * ranges, an HDF5 file is downloaded to a temporary copy; errors name the URL), bytes go to a
 * temporary file; closing the reader removes the copy.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, IoError, isRemoteLocation } from '@tfweights/core';
import type { KerasReader } from '@tfweights/keras';
import { openKeras, openWalkedKerasH5 } from '@tfweights/keras/node';

/** A Keras model: a file path, an http(s) URL, or the bytes of a `.h5` / `.weights.h5` / `.keras`. */
export type KerasInput = string | Uint8Array | ArrayBuffer;

export interface OpenKerasInputOptions {
  /** Model config for a file without one; also passed to the reader for Keras 3 variable names. */
  config?: unknown;
  /** fetch to use for http(s) URLs; when given, the whole file is fetched in one request (default: ranged reads through the location layer). */
  fetch?: typeof globalThis.fetch;
}

const URL_RE = /^https?:\/\//i;

function describe(input: KerasInput): string {
  return typeof input === 'string' ? input : `<${input.byteLength} bytes>`;
}

async function fetchBytes(url: string, fetchFn: typeof globalThis.fetch | undefined): Promise<Uint8Array> {
  const f = fetchFn ?? globalThis.fetch;
  let res: Response;
  try {
    res = await f(url);
  } catch (cause) {
    throw new IoError(`cannot fetch: ${(cause as Error).message}`, { file: url, cause });
  }
  if (!res.ok) throw new IoError(`HTTP ${res.status} ${res.statusText}`, { file: url });
  return new Uint8Array(await res.arrayBuffer());
}

function parseConfig(config: unknown): unknown {
  if (typeof config !== 'string') return config;
  try {
    return JSON.parse(config) as unknown;
  } catch (cause) {
    throw new InvalidArgumentError('config is not valid JSON', { cause });
  }
}

async function openPath(path: string, label: string, config: unknown, cleanup?: () => Promise<void>): Promise<KerasReader> {
  try {
    const r = await openKeras(path);
    // Only a bare Keras 3 .weights.h5 needs the config to name its `vars/<i>` datasets: reopen
    // it with the config (legacy files name their weights; a .keras has its own config.json).
    if (config === undefined || r.format !== 'keras3' || r.metadata.metadata_json !== undefined) return cleanup ? wrapClose(r, cleanup) : r;
    await r.close();
    // Reopened in the budgeted libhdf5 worker, like every read of an untrusted HDF5 file.
    // A remote file has no local path to reopen: open it again with the config (another download).
    if (isRemoteLocation(path)) return await openKeras(path, { config: config as object });
    return await openWalkedKerasH5(path, { name: label, config, ...(cleanup ? { onClose: cleanup } : {}) });
  } catch (err) {
    await cleanup?.();
    throw err;
  }
}

/** Make close() also run `cleanup` (for readers opened on a temporary copy). */
function wrapClose(r: KerasReader, cleanup: () => Promise<void>): KerasReader {
  const close = r.close.bind(r);
  Object.defineProperty(r, 'close', { value: async () => { try { await close(); } finally { await cleanup(); } } });
  return r;
}

/**
 * Open `input` with our Keras reader. The caller must `close()` it (which also removes a
 * temporary copy). With `config`, HDF5 weights-only files get that model config.
 */
export async function openKerasInput(input: KerasInput, opts: OpenKerasInputOptions = {}): Promise<KerasReader> {
  const config = parseConfig(opts.config);
  if (typeof input === 'string' && !(URL_RE.test(input) && opts.fetch)) return openPath(input, input, config);
  let bytes: Uint8Array;
  if (typeof input === 'string') bytes = await fetchBytes(input, opts.fetch);
  else if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else throw new InvalidArgumentError(`expected a path, an http(s) URL, a Uint8Array or an ArrayBuffer, got ${Object.prototype.toString.call(input)}`);
  const dir = await mkdtemp(join(tmpdir(), 'tfweights-keras-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const file = join(dir, 'model.keras-input');
  try {
    await writeFile(file, bytes);
  } catch (cause) {
    await cleanup();
    throw new IoError(`cannot write a temporary copy: ${(cause as Error).message}`, { file: describe(input), cause });
  }
  return openPath(file, describe(input), config, cleanup);
}
