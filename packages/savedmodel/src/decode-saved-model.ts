/**
 * Decode `saved_model.pb` from a ByteSource, touching only what lists variables and
 * signatures. `graph_def` (MetaGraphDef #2), `collection_def` (#4), `stripped_op_list`
 * (MetaInfoDef #2), `any_info` and `concrete_functions` (SavedObjectGraph #2) are skipped by
 * length and never read. Field numbers: tensorflow/core/protobuf/saved_model.proto,
 * meta_graph.proto, saved_object_graph.proto.
 */
import { CorruptDataError, InvalidArgumentError, LimitExceededError, MemorySource, type ByteSource } from '@tfweights/core';
import {
  decodeAssetFileName, decodeMapEntry, decodeSavedObject, decodeSaverDef, decodeSignatureEntry,
} from './decode-parts.js';
import { WIRE, type WireContext } from './proto-wire.js';
import { streamFields, WindowedSource, type StreamedField } from './stream-fields.js';
import type { MetaGraphInfo, SavedModelInfo, SavedObjectInfo, SaverDefInfo, SignatureInfo } from './types.js';

/** Largest SavedModel proto accepted (protobuf's own 2 GiB message limit). */
export const MAX_SAVED_MODEL_BYTES = 2 ** 31 - 1;

const utf8 = new TextDecoder();

function requireLen(f: StreamedField, src: WindowedSource, what: string): void {
  if (f.wireType !== WIRE.len) {
    throw new CorruptDataError(`field ${f.number} of ${what} has the wrong wire type`, {
      file: src.name, offset: f.offset, expected: 'length-delimited (wire type 2)', found: `wire type ${f.wireType}`,
    });
  }
}

async function readSub(src: WindowedSource, f: StreamedField, what: string): Promise<[Uint8Array, WireContext]> {
  requireLen(f, src, what);
  return [await src.bytes(f.offset, f.length, what), { file: src.name, base: f.offset, what }];
}

interface MetaInfo {
  metaGraphVersion: string;
  tags: string[];
  tensorflowVersion: string;
  tensorflowGitVersion: string;
  strippedDefaultAttrs: boolean;
  functionAliases: Record<string, string>;
}

/** MetaInfoDef, streamed so `stripped_op_list` (#2) and `any_info` (#3) are never read. */
async function decodeMetaInfo(src: WindowedSource, start: number, end: number, what: string): Promise<MetaInfo> {
  const m: MetaInfo = { metaGraphVersion: '', tags: [], tensorflowVersion: '', tensorflowGitVersion: '', strippedDefaultAttrs: false, functionAliases: {} };
  const str = async (f: StreamedField, name: string) => {
    requireLen(f, src, `${what}.${name}`);
    return utf8.decode(await src.bytes(f.offset, f.length, `${what}.${name}`));
  };
  await streamFields(src, start, end, what, async (f) => {
    switch (f.number) {
      case 1: m.metaGraphVersion = await str(f, 'meta_graph_version'); break;
      case 4: m.tags.push(await str(f, 'tags')); break;
      case 5: m.tensorflowVersion = await str(f, 'tensorflow_version'); break;
      case 6: m.tensorflowGitVersion = await str(f, 'tensorflow_git_version'); break;
      case 7: m.strippedDefaultAttrs = (f.varint ?? 0n) !== 0n; break;
      case 8: {
        const [b, c] = await readSub(src, f, `${what}.function_aliases`);
        const e = decodeMapEntry(b, c);
        m.functionAliases[e.key] = e.value ? utf8.decode(e.value.bytes) : '';
        break;
      }
      default: break; // 2 stripped_op_list, 3 any_info: skipped unread
    }
  });
  return m;
}

/** SavedObjectGraph, streamed so `concrete_functions` (#2) is never read. */
async function decodeObjectGraph(src: WindowedSource, start: number, end: number, what: string): Promise<SavedObjectInfo[]> {
  const nodes: SavedObjectInfo[] = [];
  await streamFields(src, start, end, what, async (f) => {
    if (f.number !== 1) return;
    nodes.push(decodeSavedObject(...(await readSub(src, f, `${what}.nodes[${nodes.length}]`))));
  });
  return nodes;
}

async function decodeMetaGraph(src: WindowedSource, start: number, end: number, index: number): Promise<MetaGraphInfo> {
  const what = `SavedModel.meta_graphs[${index}]`;
  let info: MetaInfo | undefined;
  let saverDef: SaverDefInfo | undefined;
  let objectGraph: SavedObjectInfo[] | undefined;
  let graphDefBytes = 0;
  const signatures: SignatureInfo[] = [];
  const assetFiles: string[] = [];
  await streamFields(src, start, end, what, async (f) => {
    switch (f.number) {
      case 1:
        requireLen(f, src, `${what}.meta_info_def`);
        info = await decodeMetaInfo(src, f.offset, f.offset + f.length, `${what}.meta_info_def`);
        break;
      case 2: graphDefBytes = f.length; break; // graph_def: skipped, never read
      case 3: saverDef = decodeSaverDef(...(await readSub(src, f, `${what}.saver_def`))); break;
      case 5: signatures.push(decodeSignatureEntry(...(await readSub(src, f, `${what}.signature_def`)))); break;
      case 6: assetFiles.push(decodeAssetFileName(...(await readSub(src, f, `${what}.asset_file_def`)))); break;
      case 7:
        requireLen(f, src, `${what}.object_graph_def`);
        objectGraph = await decodeObjectGraph(src, f.offset, f.offset + f.length, `${what}.object_graph_def`);
        break;
      default: break; // 4 collection_def and unknown fields: skipped
    }
  });
  const m = info ?? { metaGraphVersion: '', tags: [], tensorflowVersion: '', tensorflowGitVersion: '', strippedDefaultAttrs: false, functionAliases: {} };
  signatures.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    index, ...m, signatures, assetFiles, graphDefBytes,
    ...(saverDef ? { saverDef } : {}),
    ...(objectGraph ? { objectGraph } : {}),
  };
}

/**
 * Decode a `saved_model.pb`. Throws CorruptDataError (naming the file, offset and message)
 * on truncated or malformed input; never allocates more than the file holds.
 */
export async function decodeSavedModel(source: ByteSource | Uint8Array, name = 'saved_model.pb'): Promise<SavedModelInfo> {
  const bs = source instanceof Uint8Array ? new MemorySource(source, name) : source;
  if (bs.size > MAX_SAVED_MODEL_BYTES) {
    throw new LimitExceededError(`saved_model.pb is ${bs.size} bytes, beyond protobuf's 2 GiB limit (chunked saved_model.cpb files are not supported)`, { file: bs.name });
  }
  const src = new WindowedSource(bs);
  let schemaVersion = 0;
  const metaGraphs: MetaGraphInfo[] = [];
  await streamFields(src, 0, bs.size, 'SavedModel', async (f) => {
    if (f.number === 1 && f.wireType === WIRE.varint) {
      schemaVersion = Number(BigInt.asIntN(64, f.varint ?? 0n));
    } else if (f.number === 2) {
      requireLen(f, src, 'SavedModel.meta_graphs');
      metaGraphs.push(await decodeMetaGraph(src, f.offset, f.offset + f.length, metaGraphs.length));
    }
  });
  if (metaGraphs.length === 0) {
    throw new CorruptDataError('no MetaGraphDef in saved_model.pb (not a SavedModel, or an empty one)', { file: bs.name, expected: 'at least one meta_graphs entry' });
  }
  return { schemaVersion, metaGraphs };
}

/**
 * The MetaGraphDef whose tags equal `tags` (as a set), as TF's loader selects it; with no tags
 * given, the only meta graph, or the one tagged exactly `serve`.
 */
export function selectMetaGraph(model: SavedModelInfo, tags: readonly string[] | undefined, file: string): MetaGraphInfo {
  const same = (a: readonly string[], b: readonly string[]) => {
    const sa = new Set(a);
    const sb = new Set(b);
    return sa.size === sb.size && [...sa].every((t) => sb.has(t));
  };
  const available = model.metaGraphs.map((m) => `{${m.tags.join(', ')}}`).join(', ');
  if (tags) {
    const hit = model.metaGraphs.find((m) => same(m.tags, tags));
    if (!hit) {
      throw new InvalidArgumentError(`no MetaGraphDef with tags {${tags.join(', ')}}`, { file, expected: `one of ${available}` });
    }
    return hit;
  }
  if (model.metaGraphs.length === 1) return model.metaGraphs[0]!;
  const serve = model.metaGraphs.find((m) => same(m.tags, ['serve']));
  if (serve) return serve;
  throw new InvalidArgumentError(`several MetaGraphDefs and none tagged exactly {serve}: pass tags to choose one`, { file, expected: `one of ${available}` });
}
