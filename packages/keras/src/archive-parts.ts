/**
 * The browser-safe half of opening a `.keras` archive (keras-team/keras `saving/saving_lib.py`,
 * FORMATS.md §6.1): a zip with `metadata.json`, `config.json` and `model.weights.h5`.
 *
 * Why `KerasReader.open` cannot take the `.keras` itself: libhdf5 looks for a superblock only
 * at offsets 0, 512, 1024, 2048 … of the file it is given, and inside the zip the HDF5 member
 * starts after its local header (e.g. offset 97), so libhdf5 reports "cannot open this HDF5
 * file". The member has to be handed to h5wasm as a file of its own: Node copies it to a
 * temporary file, a browser mounts the member's byte range (`File.slice`) in WORKERFS.
 */
import {
  CorruptDataError, describeContent, LimitExceededError, MAGIC, NotThisFormatError, openZip, parseJsonWithLimits, sniffInputOf, startsWith,
  type ByteSource, type ZipArchive, type ZipEntry,
} from '@tfweights/core';
import { checkNotTruncated } from './node/superblock.js';

/** config.json / metadata.json larger than this are refused (they are kilobytes in practice). */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** The JSON members of a `.keras` archive, parsed (undefined when absent). */
export interface KerasArchiveJson {
  readonly config?: unknown;
  readonly metadata?: unknown;
}

/** What a `.keras` holds, with its weights member located but not read. */
export interface KerasArchiveParts {
  readonly zip: ZipArchive;
  /** The `model.weights.h5` member (checked to start with an untruncated HDF5 superblock). */
  readonly weights: ZipEntry;
  /** The member's bytes as a source (a window of the archive when stored, inflated otherwise). */
  readonly weightsSource: ByteSource;
  /** Where the member's bytes start in the archive, when stored uncompressed (a slice can be mounted). */
  readonly storedAt?: number;
  readonly json: KerasArchiveJson;
  /** Facts for `KerasReader.open`'s `metadata` option (metadata.json, keras_version, date_saved). */
  readonly metadata: Record<string, unknown>;
}

async function readJsonMember(zip: ZipArchive, name: string, file: string): Promise<unknown> {
  const entry = zip.get(name);
  if (!entry) return undefined;
  if (entry.size > MAX_JSON_BYTES) throw new LimitExceededError(`${name} is ${entry.size} bytes`, { file, entry: name, expected: `at most ${MAX_JSON_BYTES}` });
  return parseJsonWithLimits(await entry.bytes(), { file, entry: name, what: name, maxBytes: MAX_JSON_BYTES });
}

/** Read config.json and metadata.json of an opened archive. */
export async function readArchiveJson(zip: ZipArchive, file: string): Promise<KerasArchiveJson> {
  const config = await readJsonMember(zip, 'config.json', file);
  const metadata = await readJsonMember(zip, 'metadata.json', file);
  return { ...(config !== undefined ? { config } : {}), ...(metadata !== undefined ? { metadata } : {}) };
}

/** Open the zip of a `.keras`, read its JSON members and locate `model.weights.h5`. */
export async function openKerasArchiveParts(source: ByteSource): Promise<KerasArchiveParts> {
  const file = source.name;
  const zip = await openZip(source);
  const weights = zip.get('model.weights.h5');
  if (!weights) {
    const names = zip.entries.map((e) => e.name);
    if (names.includes('model.weights.npz')) {
      throw new NotThisFormatError('this .keras archive stores its weights as model.weights.npz (weights_format="npz"), which is not supported', { file });
    }
    const looksKeras = names.includes('config.json') || names.includes('metadata.json');
    throw new NotThisFormatError(looksKeras ? '.keras archive without model.weights.h5' : 'a zip archive, but not a .keras file', {
      file, expected: 'a model.weights.h5 member', found: `members [${names.slice(0, 6).join(', ')}]`,
    });
  }
  const json = await readArchiveJson(zip, file);
  const weightsSource = await weights.source();
  const head = await sniffInputOf(weightsSource);
  if (!startsWith(head.head, MAGIC.hdf5)) {
    throw new CorruptDataError(`model.weights.h5 is not an HDF5 file: it is ${describeContent(head)}`, { file, entry: 'model.weights.h5' });
  }
  checkNotTruncated(head.head, head.size, `${file}:model.weights.h5`);
  const metadata: Record<string, unknown> = {};
  if (json.metadata !== undefined) metadata.metadata_json = json.metadata;
  const m = json.metadata as Record<string, unknown> | undefined;
  if (m && typeof m.keras_version === 'string') metadata.keras_version = m.keras_version;
  if (m && typeof m.date_saved === 'string') metadata.date_saved = m.date_saved;
  const storedAt = weights.method === 0 ? await weights.dataOffset() : undefined;
  return { zip, weights, weightsSource, ...(storedAt !== undefined ? { storedAt } : {}), json, metadata };
}
