/**
 * Streaming zip writer over a ByteSink. Records are laid out as CPython's zipfile writes
 * them (Lib/zipfile.py: ZipInfo.FileHeader, ZipFile._write_end_record), so archives written
 * through it match what Python tools produce: dates 1980-01-01 00:00:00, external attributes
 * `0o600 << 16`, "made by" Unix + version 2.0 (4.5 once a Zip64 field is needed), Zip64 fields
 * for sizes and offsets above 2^31 − 1 (zipfile.ZIP64_LIMIT), Zip64 end records when the
 * directory needs them. With `forceZip64` every local header carries a Zip64 extra field,
 * which is what NumPy's np.savez / np.savez_compressed do (numpy/lib/_npyio_impl.py opens
 * members with `force_zip64=True`).
 */
import type { ByteSink } from '../byte-sink.js';
import type { ByteSource } from '../byte-source.js';
import { InvalidArgumentError, RefusedError } from '../errors.js';
import { chunkWriter } from '../chunks.js';
import { Crc32 } from './crc32.js';
import { fflateDeflater, type DeflaterFactory } from './deflater.js';
import { loadFflate } from './fflate-lazy.js';
import {
  CENTRAL_HEADER_SIZE, DOS_DATE_1980, EOCD_SIZE, EXTERNAL_ATTR_600, EXTRA_ZIP64, FLAG_DATA_DESCRIPTOR, FLAG_UTF8,
  LOCAL_HEADER_SIZE, METHOD_DEFLATE, METHOD_STORED, PY_FILECOUNT_LIMIT, PY_ZIP64_LIMIT, SIG_CENTRAL, SIG_DATA_DESCRIPTOR, unsafeMemberName,
  SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, SYSTEM_UNIX, VERSION_DEFAULT, VERSION_ZIP64, ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from './zip-format.js';

export interface ZipWriterOptions {
  /** Put a Zip64 extra field in every local header, like NumPy's np.savez (default false). */
  forceZip64?: boolean;
  /** Compressor for deflated members (default fflate's streaming Deflate). */
  deflater?: DeflaterFactory;
  /** Deflate level 0–9 (default 6, zlib's default). */
  level?: number;
}

export interface ZipMemberOptions {
  /** Deflate this member (default false: stored, as `.keras` and np.savez want). */
  compress?: boolean;
}

export interface ZipChunkOptions extends ZipMemberOptions {
  /** Expected uncompressed size, if known; only decides whether Zip64 fields are needed up front. */
  sizeHint?: number;
}

interface Written {
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  version: number;
}

const CHUNK = 8 << 20;

function encodeName(name: string): { bytes: Uint8Array; utf8: boolean } {
  const bytes = new TextEncoder().encode(name);
  // zipfile writes ASCII names as they are and sets flag bit 11 for anything else.
  return { bytes, utf8: bytes.some((b) => b >= 0x80) };
}

function setU64(v: DataView, at: number, value: number): void {
  v.setUint32(at, value % 2 ** 32, true);
  v.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

/** Writes members one after another, then the central directory on finish(). */
export class ZipWriter {
  private readonly written: Written[] = [];
  private readonly names = new Set<string>();
  private readonly base: number;
  private busy = false;
  private done = false;
  private readonly deflater: DeflaterFactory;
  private readonly level: number;

  constructor(readonly sink: ByteSink, private readonly options: ZipWriterOptions = {}) {
    this.base = sink.position;
    this.deflater = options.deflater ?? fflateDeflater;
    this.level = options.level ?? 6;
  }

  /** Bytes written so far (the archive offset of the next member). */
  get position(): number {
    return this.sink.position - this.base;
  }

  /** Add a member whose bytes are all in memory (no data descriptor; sizes in the header). */
  async addBytes(name: string, data: Uint8Array, opts: ZipMemberOptions = {}): Promise<void> {
    await this.addParts(name, [data], opts);
  }

  /**
   * Add a member from several in-memory parts written back to back (e.g. an .npy header and
   * the array bytes) without concatenating them.
   */
  async addParts(name: string, parts: readonly Uint8Array[], opts: ZipMemberOptions = {}): Promise<void> {
    await this.run(name, async (nameBytes, utf8) => {
      const crc = new Crc32();
      let size = 0;
      for (const p of parts) {
        crc.update(p);
        size += p.byteLength;
      }
      if (!opts.compress) {
        await this.writeLocal(nameBytes, utf8, METHOD_STORED, crc.digest(), size, size);
        for (const p of parts) await this.sink.write(p);
        return;
      }
      const out = this.compressAll(parts);
      await this.writeLocal(nameBytes, utf8, METHOD_DEFLATE, crc.digest(), out.size, size);
      for (const c of out.chunks) await this.sink.write(c);
    });
  }

  /**
   * Add a member from a ByteSource (e.g. a file written by another library): one pass for
   * the CRC (and the compressed bytes), one to copy, so the header carries real sizes.
   */
  async addSource(name: string, source: ByteSource, opts: ZipMemberOptions = {}): Promise<void> {
    await this.run(name, async (nameBytes, utf8) => {
      const crc = new Crc32();
      if (!opts.compress) {
        for (let at = 0; at < source.size; at += CHUNK) crc.update(await source.read(at, Math.min(CHUNK, source.size - at)));
        await this.writeLocal(nameBytes, utf8, METHOD_STORED, crc.digest(), source.size, source.size);
        for (let at = 0; at < source.size; at += CHUNK) await this.sink.write(await source.read(at, Math.min(CHUNK, source.size - at)));
        return;
      }
      const d = this.deflater(this.level);
      const chunks: Uint8Array[] = [];
      let csize = 0;
      for (let at = 0; at < source.size || at === 0; at += CHUNK) {
        const part = await source.read(at, Math.min(CHUNK, source.size - at));
        crc.update(part);
        for (const c of d.push(part, at + CHUNK >= source.size)) {
          chunks.push(c);
          csize += c.byteLength;
        }
        if (source.size === 0) break;
      }
      await this.writeLocal(nameBytes, utf8, METHOD_DEFLATE, crc.digest(), csize, source.size);
      for (const c of chunks) await this.sink.write(c);
    });
  }

  /**
   * Add a member from a stream of chunks of unknown total size: written as it comes, with a
   * data descriptor (flag bit 3) after the data, as zipfile does on unseekable outputs.
   */
  async addChunks(name: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: ZipChunkOptions = {}): Promise<void> {
    await this.run(name, async (nameBytes, utf8) => {
      const zip64 = this.options.forceZip64 || opts.sizeHint === undefined || opts.sizeHint * 1.05 > PY_ZIP64_LIMIT;
      const method = opts.compress ? METHOD_DEFLATE : METHOD_STORED;
      const offset = this.position;
      await this.sink.write(this.localHeader(nameBytes, utf8 ? FLAG_UTF8 | FLAG_DATA_DESCRIPTOR : FLAG_DATA_DESCRIPTOR, method, 0, 0, 0, zip64).bytes);
      const crc = new Crc32();
      let size = 0;
      let csize = 0;
      const d = opts.compress ? this.deflater(this.level) : undefined;
      for await (const chunk of chunks) {
        crc.update(chunk);
        size += chunk.byteLength;
        if (!d) {
          csize += chunk.byteLength;
          await this.sink.write(chunk);
        } else {
          for (const c of d.push(chunk, false)) {
            csize += c.byteLength;
            await this.sink.write(c);
          }
        }
      }
      if (d) {
        for (const c of d.push(new Uint8Array(0), true)) {
          csize += c.byteLength;
          await this.sink.write(c);
        }
      }
      if (!zip64 && (size > PY_ZIP64_LIMIT || csize > PY_ZIP64_LIMIT)) {
        throw new InvalidArgumentError(`member '${name}' grew past 2 GiB although its size hint said it would not`, { file: this.sink.name, entry: name });
      }
      const dd = new Uint8Array(zip64 ? 24 : 16);
      const v = new DataView(dd.buffer);
      v.setUint32(0, SIG_DATA_DESCRIPTOR, true);
      v.setUint32(4, crc.digest(), true);
      if (zip64) {
        setU64(v, 8, csize);
        setU64(v, 16, size);
      } else {
        v.setUint32(8, csize, true);
        v.setUint32(12, size, true);
      }
      await this.sink.write(dd);
      this.written.push({
        nameBytes, flags: utf8 ? FLAG_UTF8 | FLAG_DATA_DESCRIPTOR : FLAG_DATA_DESCRIPTOR, method, crc: crc.digest(),
        compressedSize: csize, size, offset, version: VERSION_DEFAULT,
      });
    });
  }

  /**
   * Add a stored member of known `size` from chunks (each used before the next is asked for),
   * laid out as addParts lays it out: sizes in the local header, and the CRC — known only once
   * the data has passed — written back into it through the sink's `patch`, as CPython's
   * zipfile seeks back. A sink that cannot patch gets a data descriptor instead (addChunks).
   * `opts.writeBehind`: the chunks stay unchanged until the one after the next is asked for
   * (`withWriteBehind`), so each may be written while the next one's CRC is computed.
   */
  async addSized(name: string, size: number, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { writeBehind?: boolean } = {}): Promise<void> {
    if (!this.sink.patch) {
      await this.addChunks(name, chunks, { sizeHint: size });
      return;
    }
    const patch = this.sink.patch.bind(this.sink);
    await this.run(name, async (nameBytes, utf8) => {
      await this.writeLocal(nameBytes, utf8, METHOD_STORED, 0, size, size);
      const entry = this.written[this.written.length - 1]!;
      const crc = new Crc32();
      let got = 0;
      const put = chunkWriter(this.sink, opts.writeBehind === true);
      for await (const c of chunks) {
        got += c.byteLength;
        if (got > size) break;
        crc.update(c);
        await put(c);
      }
      if (got !== size) {
        throw new InvalidArgumentError(`member '${name}' carries ${got > size ? 'more' : got} bytes, its header says ${size}`, { file: this.sink.name, entry: name });
      }
      entry.crc = crc.digest();
      const field = new Uint8Array(4);
      new DataView(field.buffer).setUint32(0, entry.crc, true);
      await patch(this.base + entry.offset + 14, field);
    });
  }

  /** Write the central directory and end records, then finish the sink. */
  async finish(): Promise<void> {
    if (this.done) throw new InvalidArgumentError('zip writer already finished', { file: this.sink.name });
    if (this.busy) throw new InvalidArgumentError('a member is still being written', { file: this.sink.name });
    this.done = true;
    const cdStart = this.position;
    for (const w of this.written) await this.sink.write(this.centralHeader(w));
    const cdEnd = this.position;
    const count = this.written.length;
    const cdSize = cdEnd - cdStart;
    let eocdCount = count;
    let eocdSize = cdSize;
    let eocdOffset = cdStart;
    if (count > PY_FILECOUNT_LIMIT || cdStart > PY_ZIP64_LIMIT || cdSize > PY_ZIP64_LIMIT) {
      const rec = new Uint8Array(ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE);
      const v = new DataView(rec.buffer);
      v.setUint32(0, SIG_ZIP64_EOCD, true);
      setU64(v, 4, 44);
      v.setUint16(12, VERSION_ZIP64, true);
      v.setUint16(14, VERSION_ZIP64, true);
      setU64(v, 24, count);
      setU64(v, 32, count);
      setU64(v, 40, cdSize);
      setU64(v, 48, cdStart);
      v.setUint32(56, SIG_ZIP64_LOCATOR, true);
      setU64(v, 64, cdEnd);
      v.setUint32(72, 1, true);
      await this.sink.write(rec);
      eocdCount = Math.min(count, 0xffff);
      eocdSize = Math.min(cdSize, 0xffffffff);
      eocdOffset = Math.min(cdStart, 0xffffffff);
    }
    const e = new Uint8Array(EOCD_SIZE);
    const v = new DataView(e.buffer);
    v.setUint32(0, SIG_EOCD, true);
    v.setUint16(8, eocdCount, true);
    v.setUint16(10, eocdCount, true);
    v.setUint32(12, eocdSize, true);
    v.setUint32(16, eocdOffset, true);
    await this.sink.write(e);
    await this.sink.finish();
  }

  /** Drop the partial archive (the sink's target is left as it was). */
  async abort(): Promise<void> {
    this.done = true;
    await this.sink.abort();
  }

  private async run(name: string, body: (nameBytes: Uint8Array, utf8: boolean) => Promise<void>): Promise<void> {
    if (this.done) throw new InvalidArgumentError('zip writer already finished', { file: this.sink.name, entry: name });
    if (this.busy) throw new InvalidArgumentError('members must be added one at a time (await the previous add)', { file: this.sink.name, entry: name });
    if (this.names.has(name)) throw new InvalidArgumentError('duplicate member name', { file: this.sink.name, entry: name });
    const unsafe = unsafeMemberName(name);
    if (unsafe) throw new RefusedError(`member name ${unsafe}: an extractor would write outside its folder`, { file: this.sink.name, entry: name });
    if (this.deflater === fflateDeflater) await loadFflate();
    const { bytes, utf8 } = encodeName(name);
    if (bytes.byteLength === 0 || bytes.byteLength > 0xffff) {
      throw new InvalidArgumentError('member name must be 1 to 65535 bytes', { file: this.sink.name, entry: name });
    }
    this.busy = true;
    try {
      await body(bytes, utf8);
      this.names.add(name);
    } finally {
      this.busy = false;
    }
  }

  private compressAll(parts: readonly Uint8Array[]): { chunks: Uint8Array[]; size: number } {
    const d = this.deflater(this.level);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const take = (cs: Uint8Array[]): void => {
      for (const c of cs) {
        chunks.push(c);
        size += c.byteLength;
      }
    };
    for (const p of parts) for (let at = 0; at < p.byteLength; at += CHUNK) take(d.push(p.subarray(at, Math.min(p.byteLength, at + CHUNK)), false));
    take(d.push(new Uint8Array(0), true));
    return { chunks, size };
  }

  /** A local header laid out as ZipInfo.FileHeader(zip64) builds it. */
  private localHeader(
    nameBytes: Uint8Array, flags: number, method: number, crc: number, csize: number, size: number, zip64: boolean,
  ): { bytes: Uint8Array; version: number } {
    const big = size > PY_ZIP64_LIMIT || csize > PY_ZIP64_LIMIT;
    const version = big ? VERSION_ZIP64 : VERSION_DEFAULT;
    const extraLen = zip64 ? 20 : 0;
    const h = new Uint8Array(LOCAL_HEADER_SIZE + nameBytes.byteLength + extraLen);
    const v = new DataView(h.buffer);
    v.setUint32(0, SIG_LOCAL, true);
    v.setUint16(4, version, true);
    v.setUint16(6, flags, true);
    v.setUint16(8, method, true);
    v.setUint16(10, 0, true);
    v.setUint16(12, DOS_DATE_1980, true);
    v.setUint32(14, crc, true);
    v.setUint32(18, big ? 0xffffffff : csize, true);
    v.setUint32(22, big ? 0xffffffff : size, true);
    v.setUint16(26, nameBytes.byteLength, true);
    v.setUint16(28, extraLen, true);
    h.set(nameBytes, LOCAL_HEADER_SIZE);
    if (zip64) {
      const x = LOCAL_HEADER_SIZE + nameBytes.byteLength;
      v.setUint16(x, EXTRA_ZIP64, true);
      v.setUint16(x + 2, 16, true);
      setU64(v, x + 4, size);
      setU64(v, x + 12, csize);
    }
    return { bytes: h, version };
  }

  private async writeLocal(nameBytes: Uint8Array, utf8: boolean, method: number, crc: number, csize: number, size: number): Promise<void> {
    const big = size > PY_ZIP64_LIMIT || csize > PY_ZIP64_LIMIT;
    // zipfile decides on a Zip64 extra when opening: forced, or the size might grow past the limit.
    const zip64 = !!this.options.forceZip64 || big || size * 1.05 > PY_ZIP64_LIMIT;
    const flags = utf8 ? FLAG_UTF8 : 0;
    const offset = this.position;
    const { bytes, version } = this.localHeader(nameBytes, flags, method, crc, csize, size, zip64);
    await this.sink.write(bytes);
    this.written.push({ nameBytes, flags, method, crc, compressedSize: csize, size, offset, version });
  }

  /** A central directory record as ZipFile._write_end_record builds it. */
  private centralHeader(w: Written): Uint8Array {
    const extra: number[] = [];
    const bigSizes = w.size > PY_ZIP64_LIMIT || w.compressedSize > PY_ZIP64_LIMIT;
    if (bigSizes) extra.push(w.size, w.compressedSize);
    const bigOffset = w.offset > PY_ZIP64_LIMIT;
    if (bigOffset) extra.push(w.offset);
    const extraLen = extra.length > 0 ? 4 + 8 * extra.length : 0;
    const version = Math.max(w.version, extra.length > 0 ? VERSION_ZIP64 : 0);
    const h = new Uint8Array(CENTRAL_HEADER_SIZE + w.nameBytes.byteLength + extraLen);
    const v = new DataView(h.buffer);
    v.setUint32(0, SIG_CENTRAL, true);
    v.setUint8(4, version);
    v.setUint8(5, SYSTEM_UNIX);
    v.setUint16(6, version, true);
    v.setUint16(8, w.flags, true);
    v.setUint16(10, w.method, true);
    v.setUint16(12, 0, true);
    v.setUint16(14, DOS_DATE_1980, true);
    v.setUint32(16, w.crc, true);
    v.setUint32(20, bigSizes ? 0xffffffff : w.compressedSize, true);
    v.setUint32(24, bigSizes ? 0xffffffff : w.size, true);
    v.setUint16(28, w.nameBytes.byteLength, true);
    v.setUint16(30, extraLen, true);
    v.setUint32(38, EXTERNAL_ATTR_600, true);
    v.setUint32(42, bigOffset ? 0xffffffff : w.offset, true);
    h.set(w.nameBytes, CENTRAL_HEADER_SIZE);
    if (extra.length > 0) {
      const x = CENTRAL_HEADER_SIZE + w.nameBytes.byteLength;
      v.setUint16(x, EXTRA_ZIP64, true);
      v.setUint16(x + 2, 8 * extra.length, true);
      extra.forEach((val, i) => setU64(v, x + 4 + 8 * i, val));
    }
    return h;
  }
}
