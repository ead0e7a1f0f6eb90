/**
 * Rewrite a SavedModel's weights: a new directory where saved_model.pb, assets/ and every other
 * file are copied unchanged and variables/variables.* is rewritten through @tfweights/checkpoint's
 * BundleWriter, tensors in the original data order and shards (so unchanged values give the
 * same data files byte for byte). The new directory is assembled under a temporary name beside
 * `outDir` and renamed into place at the end; `srcDir` is only read.
 */
import { cp, mkdir, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  InvalidArgumentError, isTfwError, numElements, byteLengthOf,
  type Tensor, type TensorInfo,
} from '@tfweights/core';
import { OBJECT_GRAPH_KEY, type SavedModelReader } from '../reader.js';
import { createSavedModelWriter } from './stream-write.js';
import { FINGERPRINT_PB, openSavedModel } from './open.js';

/** What to do with fingerprint.pb (see README "fingerprint.pb"). */
export type FingerprintPolicy = 'update' | 'keep' | 'drop';

export interface WriteSavedModelOptions {
  /** MetaGraphDef tags, when the SavedModel has several (names are resolved against it). */
  tags?: readonly string[];
  /**
   * `update` (default): rewrite `checkpoint_hash` as FarmHash Fingerprint64 of the new
   * variables.index, every other byte unchanged; `keep`: copy the file unchanged (its
   * checkpoint_hash then describes the old variables); `drop`: leave it out.
   */
  fingerprint?: FingerprintPolicy;
  /** Replace an existing `outDir` (default false: refuse). */
  overwrite?: boolean;
  /** Verify the source bundle's CRC-32Cs while copying (default true). */
  verifyChecksums?: boolean;
}

export interface WriteSavedModelResult {
  readonly outDir: string;
  /** Bundle keys whose values were replaced. */
  readonly replaced: readonly string[];
  /** Bundle entries copied unchanged. */
  readonly copied: number;
  readonly fingerprint: 'updated' | 'kept' | 'dropped' | 'absent';
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/**
 * The real path of `p`; for a path that does not exist yet, the real path of its nearest
 * existing ancestor joined with the rest, so a symlinked input and an output inside it
 * compare equal.
 */
async function realOrResolved(p: string): Promise<string> {
  const rest: string[] = [];
  let at = resolve(p);
  for (;;) {
    try {
      return join(await realpath(at), ...rest.reverse());
    } catch {
      const parent = dirname(at);
      if (parent === at) return resolve(p);
      rest.push(basename(at));
      at = parent;
    }
  }
}

/** Refuse an output equal to, inside or around the input SavedModel. */
export async function checkedTarget(srcDir: string, outDir: string): Promise<void> {
  const src = await realOrResolved(srcDir);
  const out = await realOrResolved(outDir);
  if (isInside(out, src) || isInside(src, out)) {
    throw new InvalidArgumentError('output directory must not be the input directory, inside it or around it', { file: outDir, expected: `a path outside ${srcDir}` });
  }
}

/** A new value's dtype and shape against the variable it replaces; returns a problem or undefined. */
export function shapeProblem(name: string, info: TensorInfo, t: TensorInfo): string | undefined {
  const same = t.shape.length === info.shape.length && t.shape.every((d, i) => d === info.shape[i]);
  if (t.dtype !== info.dtype || !same) {
    return `'${name}' (${info.key}) is ${info.dtype} [${info.shape.join(', ')}], the new value is ${t.dtype} [${t.shape.join(', ')}]`;
  }
  return undefined;
}

/** Check one new value against the variable it replaces; returns a problem or undefined. */
export function problemWith(name: string, info: TensorInfo, t: Tensor): string | undefined {
  const shape = shapeProblem(name, info, t);
  if (shape) return shape;
  if (t.dtype === 'string') {
    if ((t.strings?.length ?? -1) !== numElements(t.shape)) return `'${name}': string value needs ${numElements(t.shape)} elements`;
  } else if (t.data.byteLength !== byteLengthOf(t.dtype, t.shape)) {
    return `'${name}': value has ${t.data.byteLength} bytes, ${t.dtype} [${t.shape.join(', ')}] needs ${byteLengthOf(t.dtype, t.shape)}`;
  }
  return undefined;
}

/** Map user keys (SavedVariable names, object paths or bundle keys) to checked replacement tensors. */
function resolveValues(reader: SavedModelReader, values: Map<string, Tensor> | Record<string, Tensor>): Map<string, Tensor> {
  const entries = values instanceof Map ? [...values.entries()] : Object.entries(values);
  const out = new Map<string, Tensor>();
  const problems: string[] = [];
  const from = new Map<string, string>();
  for (const [name, tensor] of entries) {
    let key: string;
    try {
      key = reader.resolveKey(name);
    } catch (err) {
      if (!isTfwError(err)) throw err;
      problems.push(err.message.replace(`${reader.source}: `, ''));
      continue;
    }
    if (key === OBJECT_GRAPH_KEY) {
      problems.push(`'${name}' is the object graph, which is copied verbatim and cannot be replaced`);
      continue;
    }
    if (from.has(key)) {
      problems.push(`'${name}' and '${from.get(key)}' both name ${key}`);
      continue;
    }
    from.set(key, name);
    const p = problemWith(name, reader.info(key), tensor);
    if (p) problems.push(p);
    else out.set(key, tensor);
  }
  if (problems.length > 0) {
    throw new InvalidArgumentError(`cannot use the new values: ${problems.join('; ')}`, { file: reader.source });
  }
  return out;
}

/** Copy everything of `src` except the variables bundle files and fingerprint.pb. */
export async function copyTree(src: string, dst: string, bundleFiles: Set<string>): Promise<void> {
  await mkdir(dst, { recursive: true });
  for (const e of await readdir(src, { withFileTypes: true })) {
    const from = join(src, e.name);
    const to = join(dst, e.name);
    const rel = relative(src, from);
    if (rel === FINGERPRINT_PB) continue;
    if (e.isDirectory() && e.name === 'variables') {
      await mkdir(to, { recursive: true });
      for (const v of await readdir(from, { withFileTypes: true })) {
        if (bundleFiles.has(v.name)) continue;
        await cp(join(from, v.name), join(to, v.name), { recursive: true, preserveTimestamps: true });
      }
      continue;
    }
    await cp(from, to, { recursive: true, preserveTimestamps: true });
  }
}

/**
 * Write a copy of the SavedModel in `srcDir` to `outDir` with some or all variables replaced.
 * Keys of `newValues` may be SavedVariable names, object paths or bundle keys; every value must
 * have the dtype and shape of the variable it replaces. Throws InvalidArgumentError (listing
 * every problem) before anything is written; refuses `outDir` equal to, inside or around `srcDir`.
 */
export async function writeSavedModel(
  srcDir: string, outDir: string, newValues: Map<string, Tensor> | Record<string, Tensor>, opts: WriteSavedModelOptions = {},
): Promise<WriteSavedModelResult> {
  await checkedTarget(srcDir, outDir);
  const reader = await openSavedModel(srcDir, opts.tags ? { tags: opts.tags } : {});
  let replacements: Map<string, Tensor>;
  try {
    replacements = resolveValues(reader, newValues);
  } finally {
    await reader.close();
  }
  const writer = await createSavedModelWriter(srcDir, outDir, { ...opts, expect: [...replacements.keys()] });
  try {
    for (const key of writer.order) {
      const t = replacements.get(key);
      if (t) await writer.write({ ...t, key });
    }
    return await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
