/**
 * Zip reader over a ByteSource: reads the end-of-central-directory record (and the Zip64
 * locator + record), then the central directory in one ranged read. Member data is read only
 * on request: stored members as a SliceSource window (no copy of the archive), deflated
 * members inflated into a buffer whose declared size is checked against a limit first.
 * Facts: PKWARE APPNOTE.TXT §4.3–4.5; sizes are taken from the central directory, so data
 * descriptors (flag bit 3) need no special handling.
 */
import { loadFflate } from './fflate-lazy.js';
import { MemorySource, SliceSource, type ByteSource } from '../byte-source.js';
import { ChecksumMismatchError, CorruptDataError, LimitExceededError, NotThisFormatError } from '../errors.js';
import { crc32 } from './crc32.js';
import { CHUNK_BYTES, sourceChunks } from '../chunks.js';
import {
  CENTRAL_HEADER_SIZE, EOCD_SIZE, EXTRA_ZIP64, FLAG_ENCRYPTED, FLAG_UTF8, LOCAL_HEADER_SIZE, MAX_DEFLATE_RATIO,
  MAX_EOCD_SEARCH, METHOD_DEFLATE, METHOD_STORED, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR,
  ZIP64_EOCD_SIZE, ZIP64_LOCATOR_SIZE, unsafeMemberName,
} from './zip-format.js';

/** Options of {@link openZip}. */
export interface ZipReadOptions {
  /** Largest inflated member accepted by {@link ZipEntry.bytes} (default 2 GiB − 1). */
  maxInflatedSize?: number;
  /**
   * Largest inflated : compressed ratio of a member above {@link BOMB_FLOOR_BYTES} (default 100,
   * Keras 3's `_ZIP_MEMBER_MAX_EXPANSION` in keras/src/saving/saving_lib.py, 3.15).
   */
  maxRatio?: number;
}

/** Members inflating to more than this must respect {@link ZipReadOptions.maxRatio} (Keras's `_ZIP_EXTRACT_BOMB_FLOOR_BYTES`). */
export const BOMB_FLOOR_BYTES = 256 * 1024 * 1024;

/** One member, as the central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate (others are listed but cannot be read). */
  readonly method: number;
  readonly compressedSize: number;
  /** Uncompressed size. */
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  /** General-purpose flags (bit 3: data descriptor, bit 11: UTF-8 name). */
  readonly flags: number;
  /** Why the name is unsafe to extract (`..`, absolute, NUL, backslash), when it is. */
  readonly unsafeName: string | undefined;
  /** Offset of the member's first data byte (reads the local header once). */
  dataOffset(): Promise<number>;
  /** Stored members: a window over the member's bytes (lazy ranged reads, CRC not checked). */
  slice(): Promise<ByteSource>;
  /** The whole content (inflated when needed), CRC-32 verified unless `verify` is false. */
  bytes(verify?: boolean): Promise<Uint8Array>;
  /** A ByteSource over the content: {@link slice} when stored, the inflated bytes otherwise. */
  source(): Promise<ByteSource>;
  /**
   * The first `length` bytes of the content (at most `size`): a ranged read when stored;
   * when deflated, only as much compressed data as needed is read and inflated (no CRC check).
   */
  readPrefix(length: number): Promise<Uint8Array>;
  /**
   * Bytes [offset, offset + length) of the content (default: all of it) in chunks of exactly
   * `chunkBytes` (default `CHUNK_BYTES`; the last one may be shorter) in a reused buffer:
   * deflated members are inflated as they stream, with the same size and ratio bounds as
   * {@link bytes}. The CRC-32 is computed over the whole content on the fly (unless `verify`
   * is false) and a mismatch is thrown after the last chunk.
   */
  contentChunks(opts?: ContentChunkOptions): AsyncIterable<Uint8Array>;
}

/** Options of {@link ZipEntry.contentChunks}. */
export interface ContentChunkOptions {
  offset?: number;
  length?: number;
  chunkBytes?: number;
  verify?: boolean;
}

/** An opened archive: its members in central-directory order. */
export interface ZipArchive {
  readonly source: ByteSource;
  readonly entries: readonly ZipEntry[];
  /** Member by exact name (the last one when a name repeats, as Python's zipfile does). */
  get(name: string): ZipEntry | undefined;
  /** Offset of the central directory (where member data must end). */
  readonly centralDirectoryOffset: number;
  readonly comment: Uint8Array;
}

interface EndRecord {
  count: number;
  cdSize: number;
  cdOffset: number;
  /** Where the records after the central directory start (zip64 record or EOCD). */
  endOfCd: number;
  comment: Uint8Array;
}

/** Index of the end-of-central-directory record in `tail` (the last bytes of a file), or −1. */
export function findEocd(tail: Uint8Array): number {
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      const commentLength = tail[i + 20]! | (tail[i + 21]! << 8);
      if (i + EOCD_SIZE + commentLength <= tail.length) return i;
    }
  }
  return -1;
}

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
function u64(b: Uint8Array, at: number, file: string, what: string): number {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  const v = hi * 2 ** 32 + lo;
  if (!Number.isSafeInteger(v)) throw new CorruptDataError(`${what} is beyond 2^53`, { file, offset: at });
  return v;
}

async function readEndRecord(src: ByteSource): Promise<EndRecord> {
  const file = src.name;
  if (src.size < EOCD_SIZE) throw new NotThisFormatError('too small to be a zip archive', { file, expected: `at least ${EOCD_SIZE} bytes`, found: `${src.size}` });
  // Most archives have no comment: look in the last 1 KiB first, then in the last 64 KiB.
  let tailLen = Math.min(src.size, 1024);
  let tailStart = src.size - tailLen;
  let tail = await src.read(tailStart, tailLen, 'zip end-of-central-directory search');
  let at = findEocd(tail);
  if (at < 0 && tailLen < Math.min(src.size, MAX_EOCD_SEARCH)) {
    tailLen = Math.min(src.size, MAX_EOCD_SEARCH);
    tailStart = src.size - tailLen;
    tail = await src.read(tailStart, tailLen, 'zip end-of-central-directory search');
    at = findEocd(tail);
  }
  if (at < 0) throw new NotThisFormatError('no zip end-of-central-directory record', { file, expected: 'PK\\x05\\x06 in the last 64 KiB' });
  const eocdPos = tailStart + at;
  const e = tail.subarray(at, at + EOCD_SIZE);
  if (u16(e, 4) !== 0 || u16(e, 6) !== 0) {
    throw new CorruptDataError('multi-disk zip archives are not supported', { file, offset: eocdPos });
  }
  let count = u16(e, 10);
  let cdSize = u32(e, 12);
  let cdOffset = u32(e, 16);
  const comment = tail.slice(at + EOCD_SIZE, at + EOCD_SIZE + u16(e, 20));
  let endOfCd = eocdPos;
  // A Zip64 locator sits right before the EOCD when the archive needs Zip64 records.
  if (eocdPos >= ZIP64_LOCATOR_SIZE) {
    const loc = await src.read(eocdPos - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE, 'zip64 end-of-central-directory locator');
    if (u32(loc, 0) === SIG_ZIP64_LOCATOR) {
      const recPos = u64(loc, 8, file, 'zip64 end record offset');
      const rec = await src.read(recPos, ZIP64_EOCD_SIZE, 'zip64 end-of-central-directory record');
      if (u32(rec, 0) !== SIG_ZIP64_EOCD) {
        throw new CorruptDataError('zip64 locator points at no zip64 end record', { file, offset: recPos, expected: 'PK\\x06\\x06' });
      }
      count = u64(rec, 32, file, 'zip64 entry count');
      cdSize = u64(rec, 40, file, 'zip64 central directory size');
      cdOffset = u64(rec, 48, file, 'zip64 central directory offset');
      endOfCd = recPos;
    }
  }
  if (cdOffset + cdSize > endOfCd) {
    throw new CorruptDataError('central directory runs past the end record', {
      file, offset: cdOffset, expected: `central directory inside [0, ${endOfCd})`, found: `offset ${cdOffset}, size ${cdSize}`,
    });
  }
  if (count * CENTRAL_HEADER_SIZE > cdSize) {
    throw new CorruptDataError('entry count larger than the central directory can hold', {
      file, offset: cdOffset, expected: `at most ${Math.floor(cdSize / CENTRAL_HEADER_SIZE)} entries`, found: `${count}`,
    });
  }
  return { count, cdSize, cdOffset, endOfCd, comment };
}

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder('utf-8').decode(bytes);
  let s = '';
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return s;
}

class Entry implements ZipEntry {
  private dataStart: number | undefined;
  readonly unsafeName: string | undefined;
  /** Where this member's bytes must end: the next member's local header or the central directory. */
  limitEnd = 0;
  constructor(
    private readonly src: ByteSource, private readonly opts: Required<ZipReadOptions>,
    readonly name: string, readonly method: number, readonly compressedSize: number, readonly size: number,
    readonly crc32: number, readonly localHeaderOffset: number, readonly flags: number,
  ) {
    this.unsafeName = unsafeMemberName(name);
  }

  private fail(problem: string, extra: { offset?: number; expected?: string; found?: string } = {}): CorruptDataError {
    return new CorruptDataError(problem, { file: this.src.name, entry: this.name, ...extra });
  }

  async dataOffset(): Promise<number> {
    if (this.dataStart !== undefined) return this.dataStart;
    const at = this.localHeaderOffset;
    if (at + LOCAL_HEADER_SIZE > this.limitEnd) throw this.fail('local header runs into the next member', { offset: at });
    const h = await this.src.read(at, LOCAL_HEADER_SIZE, `local header of '${this.name}'`);
    if (u32(h, 0) !== SIG_LOCAL) throw this.fail('no local file header where the central directory points', { offset: at, expected: 'PK\\x03\\x04' });
    const start = at + LOCAL_HEADER_SIZE + u16(h, 26) + u16(h, 28);
    if (start + this.compressedSize > this.limitEnd) {
      throw this.fail('member data runs past the next member or the central directory (overlapping entries?)', {
        offset: start, expected: `${this.compressedSize} bytes before offset ${this.limitEnd}`,
      });
    }
    this.dataStart = start;
    return start;
  }

  private checkReadable(): void {
    if (this.flags & FLAG_ENCRYPTED) throw this.fail('encrypted members are not supported');
    if (this.method !== METHOD_STORED && this.method !== METHOD_DEFLATE) {
      throw this.fail('unsupported compression method', { expected: 'stored (0) or deflate (8)', found: `${this.method}` });
    }
  }

  async slice(): Promise<ByteSource> {
    this.checkReadable();
    if (this.method !== METHOD_STORED) throw this.fail('member is compressed; a byte window needs a stored member', { found: `method ${this.method}` });
    if (this.size !== this.compressedSize) throw this.fail('stored member with different sizes', { expected: `${this.compressedSize}`, found: `${this.size}` });
    return new SliceSource(this.src, await this.dataOffset(), this.size, `${this.src.name}:${this.name}`);
  }

  async source(): Promise<ByteSource> {
    if (this.method === METHOD_STORED) return this.slice();
    return new MemorySource(await this.bytes(), `${this.src.name}:${this.name}`);
  }

  async readPrefix(length: number): Promise<Uint8Array> {
    this.checkReadable();
    const want = Math.min(length, this.size);
    if (this.method === METHOD_STORED) return (await this.slice()).read(0, want, `start of member '${this.name}'`);
    const start = await this.dataOffset();
    const out = new Uint8Array(want);
    let filled = 0;
    let ended = false;
    const { Inflate } = await loadFflate();
    const inf = new Inflate((chunk, final) => {
      const take = Math.min(chunk.length, want - filled);
      out.set(chunk.subarray(0, take), filled);
      filled += take;
      if (final) ended = true;
    });
    // Small steps: one compressed chunk can inflate to ~1000× its size.
    const step = 1 << 12;
    try {
      for (let at = 0; filled < want && !ended && at < this.compressedSize; at += step) {
        const n = Math.min(step, this.compressedSize - at);
        inf.push(await this.src.read(start + at, n, `compressed member '${this.name}'`), at + n >= this.compressedSize);
      }
    } catch (cause) {
      if (cause instanceof CorruptDataError) throw cause;
      throw new CorruptDataError(`invalid deflate data: ${(cause as Error).message}`, { file: this.src.name, entry: this.name, cause });
    }
    if (filled < want) throw this.fail('deflate stream ended early', { expected: `${want} bytes`, found: `${filled}` });
    return out;
  }

  async bytes(verify = true): Promise<Uint8Array> {
    this.checkReadable();
    let out: Uint8Array;
    if (this.method === METHOD_STORED) {
      const s = await this.slice();
      out = await s.read(0, s.size, `member '${this.name}'`);
    } else {
      out = await this.inflate();
    }
    if (verify) {
      const got = crc32(out);
      if (got !== this.crc32) {
        throw new ChecksumMismatchError('CRC-32 of member content does not match the central directory', {
          file: this.src.name, entry: this.name, expected: hex(this.crc32), found: hex(got),
        });
      }
    }
    return out;
  }

  private async inflate(): Promise<Uint8Array> {
    this.checkInflateBounds();
    const input = await this.src.read(await this.dataOffset(), this.compressedSize, `compressed member '${this.name}'`);
    const out = new Uint8Array(this.size);
    let filled = 0;
    let ended = false;
    let overflow = false;
    const { Inflate } = await loadFflate();
    const inf = new Inflate((chunk, final) => {
      if (filled + chunk.length > out.length) overflow = true;
      else out.set(chunk, filled);
      filled += chunk.length;
      if (final) ended = true;
    });
    const step = 1 << 20;
    try {
      for (let i = 0; i < input.length && !overflow && !ended; i += step) {
        const end = Math.min(input.length, i + step);
        inf.push(input.subarray(i, end), end === input.length);
      }
      if (input.length === 0) inf.push(input, true);
    } catch (cause) {
      throw new CorruptDataError(`invalid deflate data: ${(cause as Error).message}`, { file: this.src.name, entry: this.name, cause });
    }
    if (overflow || filled !== this.size || !ended) {
      throw this.fail('inflated size differs from the central directory', {
        expected: `${this.size} bytes`, found: overflow ? `more than ${this.size}` : ended ? `${filled}` : `${filled} (stream not ended)`,
      });
    }
    return out;
  }

  /** Refuse a deflated member whose declared size is above the limit or beyond what deflate (or a sane ratio) gives. */
  private checkInflateBounds(): void {
    const limit = this.opts.maxInflatedSize;
    if (this.size > limit) {
      throw new LimitExceededError('declared inflated size is above the limit (zip bomb?)', {
        file: this.src.name, entry: this.name, expected: `at most ${limit} bytes`, found: `${this.size}`,
      });
    }
    if (this.size > this.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw this.fail('declared inflated size is more than deflate can produce from the compressed size', {
        expected: `at most ${this.compressedSize * MAX_DEFLATE_RATIO + 1024}`, found: `${this.size}`,
      });
    }
    if (this.size > BOMB_FLOOR_BYTES && this.size > this.compressedSize * this.opts.maxRatio) {
      throw new LimitExceededError(`member inflates more than ${this.opts.maxRatio}:1 to over ${BOMB_FLOOR_BYTES} bytes (deflate bomb?)`, {
        file: this.src.name, entry: this.name, expected: `at most ${this.opts.maxRatio} × ${this.compressedSize} bytes`, found: `${this.size}`,
      });
    }
  }

  async *contentChunks(opts: ContentChunkOptions = {}): AsyncIterable<Uint8Array> {
    this.checkReadable();
    const offset = opts.offset ?? 0;
    const length = opts.length ?? this.size - offset;
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw this.fail('byte window outside the member', { expected: `within ${this.size} bytes`, found: `[${offset}, ${offset + length})` });
    }
    const verify = opts.verify ?? true;
    const chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
    if (this.method === METHOD_STORED) {
      // The CRC covers the whole member: what lies outside the window is read for it too.
      const slice = await this.slice();
      let crc = 0;
      const ranges: (readonly [number, number])[] = verify ? [[0, offset], [offset, length], [offset + length, this.size - offset - length]] : [[offset, length]];
      for (const [at, n] of ranges) {
        for await (const c of sourceChunks(slice, at, n, { chunkBytes, what: `member '${this.name}'` })) {
          if (verify) crc = crc32(c, crc);
          if (at === offset && n === length) yield c;
        }
      }
      if (verify) this.checkCrc(crc);
      return;
    }
    yield* this.inflatedWindow(offset, length, chunkBytes, verify);
  }

  private checkCrc(got: number): void {
    if ((got >>> 0) !== this.crc32) {
      throw new ChecksumMismatchError('CRC-32 of member content does not match the central directory', {
        file: this.src.name, entry: this.name, expected: hex(this.crc32), found: hex(got >>> 0),
      });
    }
  }

  /**
   * Inflate while streaming: compressed bytes are read in 1 MiB chunks and pushed in 16 KiB
   * steps, so one step inflates to at most ~16 MiB (deflate's 1032:1) however the member was
   * made; the window is copied out in chunks of `chunkBytes`.
   */
  private async *inflatedWindow(offset: number, length: number, chunkBytes: number, verify: boolean): AsyncIterable<Uint8Array> {
    this.checkInflateBounds();
    const start = await this.dataOffset();
    const { Inflate } = await loadFflate();
    const pending: Uint8Array[] = [];
    let ended = false;
    const inf = new Inflate((piece, final) => {
      pending.push(piece);
      if (final) ended = true;
    });
    const out = new Uint8Array(Math.max(1, Math.min(chunkBytes, length)));
    let filled = 0;
    let produced = 0;
    let crc = 0;
    let consumed = 0;
    const STEP = 1 << 14;
    const tooLong = () => this.fail('inflated size differs from the central directory', { expected: `${this.size} bytes`, found: `more than ${this.size}` });
    const compressed = this.compressedSize === 0 ? [new Uint8Array(0)] : sourceChunks(this.src, start, this.compressedSize, { chunkBytes: 1 << 20, what: `compressed member '${this.name}'` });
    for await (const c of compressed) {
      for (let i = 0; !ended && (i === 0 || i < c.length); i += STEP) {
        const end = Math.min(c.length, i + STEP);
        try {
          inf.push(c.subarray(i, end), consumed + end >= this.compressedSize);
        } catch (cause) {
          throw new CorruptDataError(`invalid deflate data: ${(cause as Error).message}`, { file: this.src.name, entry: this.name, cause });
        }
        for (const piece of pending.splice(0)) {
          const pieceStart = produced;
          produced += piece.length;
          if (produced > this.size) throw tooLong();
          if (verify) crc = crc32(piece, crc);
          for (let at = Math.max(offset, pieceStart), hi = Math.min(offset + length, produced); at < hi;) {
            const take = Math.min(out.length - filled, hi - at);
            out.set(piece.subarray(at - pieceStart, at - pieceStart + take), filled);
            filled += take;
            at += take;
            if (filled === out.length) {
              yield out;
              filled = 0;
            }
          }
        }
      }
      consumed += c.length;
      if (ended) break;
    }
    if (!ended || produced !== this.size) {
      throw this.fail('inflated size differs from the central directory', { expected: `${this.size} bytes`, found: ended ? `${produced}` : `${produced} (stream not ended)` });
    }
    if (filled > 0) yield out.subarray(0, filled);
    if (verify) this.checkCrc(crc);
  }
}


function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}

/**
 * Open a zip archive: reads its end records and central directory, nothing else.
 * Throws NotThisFormatError when there is no end-of-central-directory record, and
 * CorruptDataError (naming the archive and the member) for impossible offsets, counts,
 * sizes or overlapping members.
 */
export async function openZip(source: ByteSource, options: ZipReadOptions = {}): Promise<ZipArchive> {
  const file = source.name;
  const opts: Required<ZipReadOptions> = { maxInflatedSize: options.maxInflatedSize ?? 2 ** 31 - 1, maxRatio: options.maxRatio ?? 100 };
  const end = await readEndRecord(source);
  const cd = await source.read(end.cdOffset, end.cdSize, 'zip central directory');
  const entries: Entry[] = [];
  let p = 0;
  for (let i = 0; i < end.count; i++) {
    if (p + CENTRAL_HEADER_SIZE > cd.length || u32(cd, p) !== SIG_CENTRAL) {
      throw new CorruptDataError(`central directory entry ${i} is missing or damaged`, {
        file, offset: end.cdOffset + p, expected: `${end.count} entries starting PK\\x01\\x02`,
      });
    }
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    let csize = u32(cd, p + 20);
    let usize = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let offset = u32(cd, p + 42);
    const next = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    if (next > cd.length) throw new CorruptDataError(`central directory entry ${i} runs past the directory`, { file, offset: end.cdOffset + p });
    const name = decodeName(cd.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen), (flags & FLAG_UTF8) !== 0);
    // Zip64 extra: only the fields whose 32-bit value is 0xFFFFFFFF are present, in this order.
    let x = p + CENTRAL_HEADER_SIZE + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = u16(cd, x);
      const len = u16(cd, x + 2);
      if (x + 4 + len > xEnd) throw new CorruptDataError('extra field runs past its entry', { file, entry: name, offset: end.cdOffset + x });
      if (id === EXTRA_ZIP64) {
        let f = x + 4;
        const need = (cond: boolean, what: string): number => {
          if (!cond) return -1;
          if (f + 8 > x + 4 + len) throw new CorruptDataError(`zip64 extra field lacks the ${what}`, { file, entry: name, offset: end.cdOffset + x });
          const v = u64(cd, f, file, what);
          f += 8;
          return v;
        };
        const u = need(usize === 0xffffffff, 'uncompressed size');
        const c = need(csize === 0xffffffff, 'compressed size');
        const o = need(offset === 0xffffffff, 'local header offset');
        if (u >= 0) usize = u;
        if (c >= 0) csize = c;
        if (o >= 0) offset = o;
      }
      x += 4 + len;
    }
    if (offset + LOCAL_HEADER_SIZE + csize > end.cdOffset) {
      throw new CorruptDataError('member lies outside the archive data', {
        file, entry: name, offset, expected: `local header + ${csize} bytes before offset ${end.cdOffset}`,
      });
    }
    entries.push(new Entry(source, opts, name, method, csize, usize, crc, offset, flags));
    p = next;
  }
  // Members must not overlap: each one's data ends before the next local header.
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!;
    const nextStart = i + 1 < byOffset.length ? byOffset[i + 1]!.localHeaderOffset : end.cdOffset;
    if (e.localHeaderOffset + LOCAL_HEADER_SIZE + e.compressedSize > nextStart) {
      throw new CorruptDataError('members overlap', { file, entry: e.name, offset: e.localHeaderOffset, expected: `member to end before offset ${nextStart}` });
    }
    e.limitEnd = nextStart;
  }
  const byName = new Map<string, Entry>();
  for (const e of entries) byName.set(e.name, e);
  return {
    source, entries, comment: end.comment, centralDirectoryOffset: end.cdOffset,
    get: (name) => byName.get(name),
  };
}
