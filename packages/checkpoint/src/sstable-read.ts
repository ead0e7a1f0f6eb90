/**
 * Reading a TensorFlow SSTable (.index): footer and magic, block handles, block trailers with
 * masked CRC-32C, Snappy blocks, prefix-compressed entries with restart arrays.
 * Facts from tensorflow/core/lib/io/{format.cc, block.cc, table.cc} (FORMATS.md §2.2).
 */
import {
  ChecksumMismatchError, CorruptDataError, crc32c, LimitExceededError, NotThisFormatError, unmaskCrc32c,
  type ByteSource,
} from '@tfweights/core';
import {
  BLOCK_TRAILER_LENGTH, compareBytes, FOOTER_LENGTH, NO_COMPRESSION, SNAPPY_COMPRESSION, TABLE_MAGIC, type BlockHandle,
} from './sstable-format.js';
import { readVarint } from './varint.js';

/** One key/value of a table; `value` is a view into its block. */
export interface TableEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** What was found in the table's structure (for inspect and byte-identity tests). */
export interface TableLayout {
  readonly metaindex: BlockHandle;
  readonly index: BlockHandle;
  /** One per data block: its handle, its compression type and its index key. */
  readonly dataBlocks: readonly { handle: BlockHandle; compression: number; indexKey: Uint8Array; contents: Uint8Array }[];
}

export interface ReadTableOptions {
  /** Verify every block's CRC (default true; TF always does). */
  verifyChecksums?: boolean;
}

/** Largest expansion a Snappy stream can describe per input byte (a 3-byte copy gives 64). */
const SNAPPY_MAX_RATIO = 22;

/** Decode a BlockHandle (two varint64s); trailing bytes are allowed (TF tolerates them). */
export function decodeBlockHandle(buf: Uint8Array, pos: number, end: number, file: string, what: string, base = 0): { handle: BlockHandle; next: number } {
  const off = readVarint(buf, pos, end, 10, `${what} offset`, file, base);
  const size = readVarint(buf, off.next, end, 10, `${what} size`, file, base);
  return { handle: { offset: off.value, size: size.value }, next: size.next };
}

/** Read one block with its trailer, check the CRC and decompress it. */
export async function readBlock(source: ByteSource, handle: BlockHandle, what: string, verify: boolean): Promise<{ contents: Uint8Array; compression: number }> {
  const file = source.name;
  if (handle.offset + handle.size + BLOCK_TRAILER_LENGTH > source.size - FOOTER_LENGTH) {
    throw new CorruptDataError(`${what} lies outside the table`, {
      file, offset: handle.offset, expected: `a block inside the first ${source.size - FOOTER_LENGTH} bytes`, found: `size ${handle.size}`,
    });
  }
  const raw = await source.read(handle.offset, handle.size + BLOCK_TRAILER_LENGTH, what);
  const stored = raw.subarray(0, handle.size);
  const type = raw[handle.size]!;
  if (verify) {
    const expected = unmaskCrc32c(new DataView(raw.buffer, raw.byteOffset + handle.size + 1, 4).getUint32(0, true));
    const actual = crc32c(raw.subarray(handle.size, handle.size + 1), crc32c(stored));
    if (expected !== actual) {
      throw new ChecksumMismatchError(`${what} checksum mismatch`, {
        file, offset: handle.offset, expected: `crc32c 0x${expected.toString(16)}`, found: `0x${actual.toString(16)}`,
      });
    }
  }
  if (type === NO_COMPRESSION) return { contents: stored, compression: type };
  if (type === SNAPPY_COMPRESSION) {
    const limit = stored.length * SNAPPY_MAX_RATIO + 64;
    try {
      // Loaded when a block is compressed: TF writes its bundles uncompressed, so `ls` never pays for it.
      const snappy = await import('snappyjs');
      return { contents: snappy.uncompress(stored, limit), compression: type };
    } catch (cause) {
      throw new CorruptDataError(`${what} is not valid Snappy data: ${(cause as Error).message}`, { file, offset: handle.offset, cause });
    }
  }
  throw new CorruptDataError(`${what} has an unknown compression type`, { file, offset: handle.offset, expected: '0 (none) or 1 (Snappy)', found: String(type) });
}

/**
 * Every entry of a block, in order. Keys are rebuilt from the shared prefix; restarts are
 * checked to have shared = 0. Each loop step consumes at least 3 bytes, so it ends.
 */
export function parseBlock(contents: Uint8Array, file: string, what: string, blockOffset: number): TableEntry[] {
  const n = contents.length;
  if (n < 4) throw new CorruptDataError(`${what} is too short`, { file, offset: blockOffset, expected: 'at least 4 bytes', found: `${n}` });
  const dv = new DataView(contents.buffer, contents.byteOffset, n);
  const numRestarts = dv.getUint32(n - 4, true);
  if (numRestarts > (n - 4) / 4) {
    throw new CorruptDataError(`${what} declares too many restart points`, { file, offset: blockOffset + n - 4, expected: `at most ${Math.floor((n - 4) / 4)}`, found: String(numRestarts) });
  }
  const end = n - 4 * (numRestarts + 1);
  const restarts = new Set<number>();
  for (let i = 0; i < numRestarts; i++) {
    const r = dv.getUint32(end + 4 * i, true);
    if (r >= Math.max(end, 1)) throw new CorruptDataError(`${what} has a restart point past its entries`, { file, offset: blockOffset + end + 4 * i, found: String(r) });
    restarts.add(r);
  }
  const out: TableEntry[] = [];
  let prev = new Uint8Array(0);
  let pos = 0;
  while (pos < end) {
    const start = pos;
    const shared = readVarint(contents, pos, end, 5, `${what} entry`, file, blockOffset);
    const nonShared = readVarint(contents, shared.next, end, 5, `${what} entry`, file, blockOffset);
    const valueLen = readVarint(contents, nonShared.next, end, 5, `${what} entry`, file, blockOffset);
    pos = valueLen.next;
    if (shared.value > prev.length || (restarts.has(start) && shared.value !== 0)) {
      throw new CorruptDataError(`${what} entry shares more key bytes than the previous key has`, { file, offset: blockOffset + start, found: `shared ${shared.value} of ${prev.length}` });
    }
    if (pos + nonShared.value + valueLen.value > end) {
      throw new CorruptDataError(`${what} entry runs past the block`, { file, offset: blockOffset + start, expected: `${nonShared.value + valueLen.value} bytes`, found: `${end - pos}` });
    }
    const key = new Uint8Array(shared.value + nonShared.value);
    key.set(prev.subarray(0, shared.value), 0);
    key.set(contents.subarray(pos, pos + nonShared.value), shared.value);
    pos += nonShared.value;
    const value = contents.subarray(pos, pos + valueLen.value);
    pos += valueLen.value;
    out.push({ key, value });
    prev = key;
  }
  return out;
}

/** Parse the 48-byte footer; throws NotThisFormatError on a bad magic. */
export async function readFooter(source: ByteSource): Promise<{ metaindex: BlockHandle; index: BlockHandle }> {
  const file = source.name;
  if (source.size < FOOTER_LENGTH) {
    throw new NotThisFormatError('too short to be a checkpoint .index (SSTable)', { file, expected: `at least ${FOOTER_LENGTH} bytes`, found: `${source.size}` });
  }
  const base = source.size - FOOTER_LENGTH;
  const footer = await source.read(base, FOOTER_LENGTH, 'SSTable footer');
  for (let i = 0; i < 8; i++) {
    if (footer[40 + i] !== TABLE_MAGIC[i]) {
      throw new NotThisFormatError('not a checkpoint .index (bad SSTable magic number)', { file, offset: base + 40, expected: '57 fb 80 8b 24 75 47 db' });
    }
  }
  const meta = decodeBlockHandle(footer, 0, 40, file, 'metaindex handle', base);
  const index = decodeBlockHandle(footer, meta.next, 40, file, 'index handle', base);
  return { metaindex: meta.handle, index: index.handle };
}

/** Read every entry of the table, checking that keys ascend strictly (memcmp order). */
export async function readTable(source: ByteSource, opts: ReadTableOptions = {}): Promise<{ entries: TableEntry[]; layout: TableLayout }> {
  const verify = opts.verifyChecksums ?? true;
  const file = source.name;
  const { metaindex, index } = await readFooter(source);
  const indexBlock = await readBlock(source, index, 'SSTable index block', verify);
  const indexEntries = parseBlock(indexBlock.contents, file, 'SSTable index block', index.offset);
  const entries: TableEntry[] = [];
  const dataBlocks: { handle: BlockHandle; compression: number; indexKey: Uint8Array; contents: Uint8Array }[] = [];
  let total = 0;
  for (const ie of indexEntries) {
    const { handle } = decodeBlockHandle(ie.value, 0, ie.value.length, file, 'data block handle');
    const block = await readBlock(source, handle, `SSTable data block at ${handle.offset}`, verify);
    total += block.contents.length;
    if (total > source.size * SNAPPY_MAX_RATIO + 64) {
      throw new LimitExceededError('data blocks overlap or repeat beyond what the file can hold', { file, offset: handle.offset });
    }
    dataBlocks.push({ handle, compression: block.compression, indexKey: ie.key, contents: block.contents });
    for (const e of parseBlock(block.contents, file, `SSTable data block at ${handle.offset}`, handle.offset)) {
      const last = entries[entries.length - 1];
      if (last && compareBytes(last.key, e.key) >= 0) {
        throw new CorruptDataError('SSTable keys are not in strictly ascending order', {
          file, offset: handle.offset, entry: new TextDecoder().decode(e.key), expected: 'keys sorted by unsigned bytes, no duplicates',
        });
      }
      if (compareBytes(e.key, ie.key) > 0) {
        throw new CorruptDataError('SSTable key is beyond its index entry', { file, offset: handle.offset, entry: new TextDecoder().decode(e.key) });
      }
      entries.push(e);
    }
  }
  return { entries, layout: { metaindex, index, dataBlocks } };
}
