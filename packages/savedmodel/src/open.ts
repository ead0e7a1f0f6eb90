/**
 * Open a SavedModel from byte sources (browser-safe: no file system). Node users call
 * `openSavedModel(dir)` from `@tfweights/savedmodel/node`, which builds these sources.
 */
import { openBundle, type OpenShard } from '@tfweights/checkpoint';
import type { ByteSource } from '@tfweights/core';
import { decodeSavedModel, selectMetaGraph } from './decode-saved-model.js';
import { decodeFingerprint } from './fingerprint.js';
import { SavedModelReader } from './reader.js';

/** The files of one SavedModel directory, as sources. */
export interface SavedModelSources {
  /** Label for messages (usually the directory path). */
  readonly name: string;
  /** `saved_model.pb`. */
  readonly savedModel: ByteSource;
  /** `variables/variables.index`; absent for a program-only SavedModel. */
  readonly variablesIndex?: ByteSource;
  /** Opens `variables/variables.data-<i>-of-<n>`; required with `variablesIndex`. */
  readonly openShard?: OpenShard;
  /** Bytes of `fingerprint.pb`, when present. */
  readonly fingerprint?: Uint8Array;
}

export interface OpenSavedModelOptions {
  /** Tags of the MetaGraphDef to use (as a set). Default: the only one, or the one tagged `serve`. */
  tags?: readonly string[];
  /** Verify CRC-32Cs of the variables bundle (default true). */
  verifyChecksums?: boolean;
}

/** Decode `saved_model.pb`, open the variables bundle and name its tensors. */
export async function openSavedModelSources(src: SavedModelSources, opts: OpenSavedModelOptions = {}): Promise<SavedModelReader> {
  const model = await decodeSavedModel(src.savedModel);
  const metaGraph = selectMetaGraph(model, opts.tags, src.savedModel.name);
  const fingerprint = src.fingerprint ? decodeFingerprint(src.fingerprint, `${src.name}/fingerprint.pb`) : undefined;
  let bundle;
  if (src.variablesIndex) {
    const openShard: OpenShard = src.openShard ?? (async () => {
      throw new Error('no openShard given for the variables bundle');
    });
    bundle = await openBundle(src.variablesIndex, openShard, { ...(opts.verifyChecksums !== undefined ? { verifyChecksums: opts.verifyChecksums } : {}) });
  }
  try {
    return await SavedModelReader.create({
      source: src.name, model, metaGraph, ...(bundle ? { bundle } : {}), ...(fingerprint ? { fingerprint } : {}),
    });
  } catch (err) {
    await bundle?.close();
    throw err;
  }
}
