/**
 * `.keras` archives (keras-team/keras `saving/saving_lib.py`, FORMATS.md §6.1): a zip with
 * `metadata.json`, `config.json` and `model.weights.h5`. libhdf5 only finds a superblock at
 * offsets 0, 512, 1024, 2048 …, so the inner HDF5 file cannot be opened inside the zip; it is
 * streamed (stored members in slices, never whole in memory) to a temporary file that close()
 * removes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CorruptDataError, describeContent, LimitExceededError, MAGIC, NotThisFormatError, openZip, sniffInputOf, startsWith,
  type ZipArchive,
} from '@tfweights/core';
import { openLocation } from '@tfweights/core/node';
import { copyToFile } from './remote-copy.js';
import { KerasReader } from '../keras-reader.js';
import { nodeH5Api } from './h5wasm-node.js';
import { checkNotTruncated } from './superblock.js';

/** config.json / metadata.json larger than this are refused (they are kilobytes in practice). */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** The JSON members of a `.keras` archive, parsed (undefined when absent). */
export interface KerasArchiveJson {
  readonly config?: unknown;
  readonly metadata?: unknown;
}

async function readJsonMember(zip: ZipArchive, name: string, file: string): Promise<unknown> {
  const entry = zip.get(name);
  if (!entry) return undefined;
  if (entry.size > MAX_JSON_BYTES) throw new LimitExceededError(`${name} is ${entry.size} bytes`, { file, entry: name, expected: `at most ${MAX_JSON_BYTES}` });
  const text = new TextDecoder().decode(await entry.bytes());
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CorruptDataError(`${name} is not valid JSON`, { file, entry: name, cause });
  }
}

/** Read config.json and metadata.json of an opened archive. */
export async function readArchiveJson(zip: ZipArchive, file: string): Promise<KerasArchiveJson> {
  const config = await readJsonMember(zip, 'config.json', file);
  const metadata = await readJsonMember(zip, 'metadata.json', file);
  return { ...(config !== undefined ? { config } : {}), ...(metadata !== undefined ? { metadata } : {}) };
}

/** Open the weights of a `.keras` archive; `opts.config` (parsed) replaces its config.json. */
export async function openKerasArchive(path: string, opts: { config?: unknown } = {}): Promise<KerasReader> {
  const src = await openLocation(path);
  let tempDir: string | undefined;
  try {
    const zip = await openZip(src);
    const member = zip.get('model.weights.h5');
    if (!member) {
      const names = zip.entries.map((e) => e.name);
      if (names.includes('model.weights.npz')) {
        throw new NotThisFormatError('this .keras archive stores its weights as model.weights.npz (weights_format="npz"), which is not supported', { file: path });
      }
      const looksKeras = names.includes('config.json') || names.includes('metadata.json');
      throw new NotThisFormatError(looksKeras ? '.keras archive without model.weights.h5' : 'a zip archive, but not a .keras file', {
        file: path, expected: 'a model.weights.h5 member', found: `members [${names.slice(0, 6).join(', ')}]`,
      });
    }
    const json = await readArchiveJson(zip, path);
    const inner = await member.source();
    const head = await sniffInputOf(inner);
    if (!startsWith(head.head, MAGIC.hdf5)) {
      throw new CorruptDataError(`model.weights.h5 is not an HDF5 file: it is ${describeContent(head)}`, { file: path, entry: 'model.weights.h5' });
    }
    checkNotTruncated(head.head, head.size, `${path}:model.weights.h5`);
    tempDir = await mkdtemp(join(tmpdir(), 'tfw-keras-'));
    const h5Path = join(tempDir, 'model.weights.h5');
    await copyToFile(inner, h5Path, 'model.weights.h5');
    const dir = tempDir;
    const metadata: Record<string, unknown> = {};
    if (json.metadata !== undefined) metadata.metadata_json = json.metadata;
    const m = json.metadata as Record<string, unknown> | undefined;
    if (m && typeof m.keras_version === 'string') metadata.keras_version = m.keras_version;
    if (m && typeof m.date_saved === 'string') metadata.date_saved = m.date_saved;
    const reader = KerasReader.open(await nodeH5Api(), h5Path, {
      name: `${path}:model.weights.h5`, config: opts.config ?? json.config, metadata,
      onClose: () => rm(dir, { recursive: true, force: true }),
    });
    tempDir = undefined;
    return reader;
  } finally {
    await src.close?.();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}
