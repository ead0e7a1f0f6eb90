/**
 * The one place that turns a location the user typed into ByteSources, sinks and folder
 * listings: local paths, `http(s)://`, `s3://bucket/key`, `gs://bucket/key` (public objects
 * over https://storage.googleapis.com) and `hf://owner/repo/path[@rev]` (the Hub's resolve
 * URLs, `HF_TOKEN` as bearer token). Codecs find siblings (checkpoint shards, `variables/`,
 * tfjs shards, the `checkpoint` state file) with {@link joinLocation} / {@link dirnameLocation},
 * so every multi-file layout opens the same way wherever it lives.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readAll, type ByteSource } from '../byte-source.js';
import type { ByteSink } from '../byte-sink.js';
import { InvalidArgumentError, IoError } from '../errors.js';
import { HttpSource, type HttpSourceOptions } from '../http-source.js';
import {
  appendRemote, basenameRemote, dirnameRemote, headersFor, httpUrlOf, isRemoteLocation, joinRemote, remoteScheme, withBasenameRemote,
} from '../remote/location-url.js';
import { RemoteError } from '../remote/remote-error.js';
import { FileSource } from './file-source.js';
import { remoteOptions } from './remote-options.js';
import { S3Source, s3List, s3Size } from './s3.js';

/** What a location is. */
export interface LocationStat {
  readonly kind: 'file' | 'directory' | 'missing';
  /** Size of a file. */
  readonly size?: number;
  /**
   * Names in a directory. Complete for local folders and S3 prefixes; over HTTP (which cannot
   * list) only the asked `children` that exist.
   */
  readonly entries?: readonly string[];
  /** False when `entries` lists only the children that were asked about (HTTP). */
  readonly listable?: boolean;
}

/** `parts` joined onto a location (a local path or a URL). */
export function joinLocation(base: string, ...parts: string[]): string {
  return isRemoteLocation(base) ? joinRemote(base, ...parts) : join(base, ...parts);
}

/** `suffix` added to a location's last segment (`ckpt` → `ckpt.index`; an hf revision stays last). */
export function appendToLocation(loc: string, suffix: string): string {
  return isRemoteLocation(loc) ? appendRemote(loc, suffix) : `${loc}${suffix}`;
}

/** The folder of a location. */
export function dirnameLocation(loc: string): string {
  return isRemoteLocation(loc) ? dirnameRemote(loc) : dirname(loc);
}

/** The last segment of a location. */
export function basenameLocation(loc: string): string {
  return isRemoteLocation(loc) ? basenameRemote(loc) : basename(loc);
}

/**
 * The location with its last segment replaced by `name` (`ckpt.index` → `ckpt`), keeping an
 * hf revision or a URL query where it was: suffixes are judged on {@link basenameLocation}.
 */
export function withBasenameLocation(loc: string, name: string): string {
  if (isRemoteLocation(loc)) return withBasenameRemote(loc, name);
  const base = basename(loc);
  return loc.endsWith(base) ? `${loc.slice(0, loc.length - base.length)}${name}` : join(dirname(loc), name);
}

/** Sizes learnt by probing URLs, so stat-then-open costs one request, not two. */
const knownSizes = new Map<string, number>();
/** URLs that answered 404 in the last minute (format detection asks about the same names twice). */
const knownMissing = new Map<string, number>();
const MISSING_TTL_MS = 60_000;

function httpOptions(loc: string): HttpSourceOptions {
  const o = remoteOptions();
  const onBytes = o.onBytes;
  const http = o.http ?? {};
  return {
    ...http, name: loc, headers: { ...http.headers, ...headersFor(loc) },
    ...(onBytes ? { onBytes: (n: number) => { http.onBytes?.(n); onBytes(n, 'down'); } } : {}),
  };
}

async function openHttp(loc: string): Promise<HttpSource> {
  const url = httpUrlOf(loc);
  const size = knownSizes.get(url);
  if (size !== undefined) return HttpSource.withSize(url, size, httpOptions(loc));
  const missingSince = knownMissing.get(url);
  if (missingSince !== undefined && Date.now() - missingSince < MISSING_TTL_MS) {
    throw new RemoteError('not-found', 'no such remote file', { file: loc, status: 404, found: 'HTTP 404 (moments ago)' });
  }
  let src: HttpSource;
  try {
    src = await HttpSource.open(url, httpOptions(loc));
  } catch (err) {
    if (err instanceof RemoteError && err.reason === 'not-found') {
      if (knownMissing.size > 4096) knownMissing.clear();
      knownMissing.set(url, Date.now());
    }
    throw err;
  }
  if (knownSizes.size > 4096) knownSizes.clear();
  knownSizes.set(url, src.size);
  return src;
}

/** Open a location for reading. Errors name the location as typed. */
export async function openLocation(loc: string): Promise<ByteSource> {
  const scheme = remoteScheme(loc);
  if (scheme === undefined) return FileSource.open(loc);
  if (scheme === 's3') return S3Source.open(loc);
  return openHttp(loc);
}

/** A whole (small) file: state files, model.json, fingerprint.pb. Refuses more than `limit` bytes. */
export async function readLocation(loc: string, limit = 256 * 1024 * 1024): Promise<Uint8Array> {
  if (!isRemoteLocation(loc)) {
    try {
      return await readFile(loc);
    } catch (cause) {
      throw new IoError(`cannot read: ${(cause as Error).message}`, { file: loc, cause });
    }
  }
  const src = await openLocation(loc);
  try {
    return await readAll(src, limit);
  } finally {
    await src.close?.();
  }
}

/**
 * What `loc` is. `children`: for HTTP, which cannot list folders, the names whose presence
 * makes `loc` a folder (e.g. `saved_model.pb`, `model.json`, `checkpoint`).
 */
export async function statLocation(loc: string, opts: { children?: readonly string[] } = {}): Promise<LocationStat> {
  const scheme = remoteScheme(loc);
  if (scheme === undefined) {
    const st = await stat(loc).catch(() => undefined);
    if (!st) return { kind: 'missing' };
    if (st.isDirectory()) return { kind: 'directory', entries: await readdir(loc), listable: true };
    return { kind: 'file', size: st.size };
  }
  if (scheme === 's3') {
    const size = await s3Size(loc);
    if (size !== undefined) return { kind: 'file', size };
    const entries = await s3List(loc);
    return entries.length > 0 ? { kind: 'directory', entries, listable: true } : { kind: 'missing' };
  }
  let failure: RemoteError | undefined;
  if (!loc.endsWith('/')) {
    try {
      const src = await openHttp(loc);
      return { kind: 'file', size: src.size };
    } catch (err) {
      // A folder URL answers 404, a listing page (HTML), or a page without Range support.
      if (!(err instanceof RemoteError) || !['not-found', 'range-ignored', 'html', 'access-denied'].includes(err.reason)) throw err;
      failure = err;
    }
  }
  const children = opts.children ?? [];
  const found = await Promise.all(children.map(async (c) => ((await httpExists(joinRemote(loc, c))) ? c : undefined)));
  const entries = found.filter((c): c is string => c !== undefined);
  if (entries.length > 0) return { kind: 'directory', entries, listable: false };
  if (failure && failure.reason !== 'not-found') throw failure;
  return { kind: 'missing' };
}

async function httpExists(loc: string): Promise<boolean> {
  try {
    await openHttp(loc);
    return true;
  } catch (err) {
    if (err instanceof RemoteError && err.reason === 'not-found') return false;
    throw err;
  }
}

/** True when `loc` is an existing file. */
export async function isFileLocation(loc: string): Promise<boolean> {
  if (!isRemoteLocation(loc)) return (await stat(loc).catch(() => undefined))?.isFile() ?? false;
  if (remoteScheme(loc) === 's3') return (await s3Size(loc)) !== undefined;
  return httpExists(loc);
}

/** Names in a folder; undefined when the location's service cannot list (HTTP). */
export async function listLocation(loc: string): Promise<string[] | undefined> {
  const scheme = remoteScheme(loc);
  if (scheme === undefined) return readdir(loc);
  if (scheme === 's3') return s3List(loc);
  return undefined;
}

/** Throw unless `loc` can be written (local paths and s3://), saying how to write elsewhere. */
export function requireWritable(loc: string): void {
  const scheme = remoteScheme(loc);
  if (scheme === undefined || scheme === 's3') return;
  const how = scheme === 'gs'
    ? 'write to Google Cloud Storage through its S3 interoperability: s3://bucket/key with --endpoint https://storage.googleapis.com and HMAC keys'
    : 'write to a local path or s3://bucket/key';
  throw new InvalidArgumentError(`cannot write to ${scheme}:// locations; ${how}`, { file: loc });
}

export type { ByteSink };
