/**
 * TensorReader over an `.npz` (a zip of `.npy` members; numpy/lib/_npyio_impl.py NpzFile).
 * Opening reads the central directory and each member's `.npy` preamble only (for deflated
 * members, just enough compressed bytes to inflate the preamble). read(key) reads one
 * member: a single ranged read of the array bytes when stored (CRC-32 checked against the
 * cached preamble + data), an inflate of that member when deflated.
 */
import {
  chunkBytesOf, chunkedOf, crc32, isTfwError, openZip, swapBytesInPlace, type ChunkedTensor, ChecksumMismatchError, TensorNotFoundError, UnsupportedDtypeError,
  type ByteSource, type ReadOptions, type Tensor, type TensorInfo, type TensorReader, type ZipArchive, type ZipEntry,
  type ZipReadOptions,
} from '@tfweights/core';
import { chunkedNpy, streamable } from './npy-chunks.js';
import { decodeNpyData } from './npy-decode.js';
import { readNpyHeader, type NpyHeader } from './npy-header.js';
import { listedInfo } from './npy-reader.js';

export interface NpzReaderOptions extends ZipReadOptions {}

interface Member {
  key: string;
  entry: ZipEntry;
  header: NpyHeader;
}

export class NpzReader implements TensorReader {
  readonly format = 'npz';
  readonly metadata: Readonly<Record<string, unknown>>;
  private readonly byKey: Map<string, Member>;

  private constructor(
    private readonly src: ByteSource, readonly zip: ZipArchive, private readonly members: Member[],
    /** Members that are not arrays we can read, with the reason (object arrays, other files). */
    readonly refused: readonly { key: string; why: string }[],
  ) {
    this.byKey = new Map(members.map((m) => [m.key, m]));
    this.metadata = {
      members: zip.entries.length,
      compressed: zip.entries.some((e) => e.method !== 0),
      ...(refused.length > 0 ? { refused } : {}),
      // Names an extractor must not use as paths (`..`, absolute, NUL): flagged, never written by our zip writer.
      ...(zip.entries.some((e) => e.unsafeName) ? { unsafeNames: zip.entries.filter((e) => e.unsafeName).map((e) => e.name) } : {}),
    };
  }

  static async open(source: ByteSource, opts: NpzReaderOptions = {}): Promise<NpzReader> {
    const zip = await openZip(source, opts);
    const members: Member[] = [];
    const refused: { key: string; why: string }[] = [];
    const seen = new Set<string>();
    // File order (local header offsets), which is also np.savez's argument order.
    const entries = [...zip.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    for (const entry of entries) {
      // NpzFile strips a final '.npy'; other members are not arrays.
      if (!entry.name.endsWith('.npy')) {
        if (!entry.name.endsWith('/')) refused.push({ key: entry.name, why: 'not a .npy member' });
        continue;
      }
      const key = entry.name.slice(0, -4);
      // A repeated name means the last copy, as Python's zipfile (and so np.load) reads it.
      if (zip.get(entry.name) !== entry || seen.has(key)) continue;
      seen.add(key);
      try {
        const header = await readNpyHeader((n) => entry.readPrefix(n), entry.size, source.name, entry.name);
        members.push({ key, entry, header });
      } catch (e) {
        // The reason alone: file and member are said again wherever it is shown.
        const at = `${source.name}, entry '${entry.name}': `;
        if (isTfwError(e) && e instanceof UnsupportedDtypeError) refused.push({ key, why: e.message.startsWith(at) ? e.message.slice(at.length) : e.message });
        else throw e;
      }
    }
    return new NpzReader(source, zip, members, refused);
  }

  get source(): string {
    return this.src.name;
  }

  list(): readonly TensorInfo[] {
    return this.members.map((m) => listedInfo(m.key, m.header));
  }

  async read(key: string, options: ReadOptions = {}): Promise<Tensor> {
    const m = this.byKey.get(key);
    if (!m) {
      const refusal = this.refused.find((r) => r.key === key);
      if (refusal) throw new UnsupportedDtypeError(refusal.why, { file: this.src.name, entry: key });
      throw new TensorNotFoundError(key, [...this.byKey.keys()], { file: this.src.name });
    }
    const verify = options.verifyChecksums !== false;
    const { entry, header } = m;
    let data: Uint8Array;
    if (entry.method === 0) {
      const slice = await entry.slice();
      // Read from the end of the preamble to the end of the member: the array, plus any trailing bytes.
      const rest = await slice.read(header.dataOffset, slice.size - header.dataOffset, `data of '${key}'`);
      if (verify) {
        const got = crc32(rest, crc32(header.raw));
        if (got !== entry.crc32) {
          throw new ChecksumMismatchError('CRC-32 of member does not match the central directory', {
            file: this.src.name, entry: entry.name, expected: entry.crc32.toString(16).padStart(8, '0'), found: got.toString(16).padStart(8, '0'),
          });
        }
      }
      data = rest.subarray(0, header.dataBytes);
    } else {
      const all = await entry.bytes(verify);
      data = all.subarray(header.dataOffset, header.dataOffset + header.dataBytes);
    }
    return decodeNpyData(header, data, key, this.src.name);
  }

  /**
   * A member's array in chunks, its CRC-32 computed on the fly over the whole member and
   * checked after the last chunk. Deflated members (np.savez_compressed) are inflated as they
   * stream, within the archive's size and ratio bounds. Fortran order (needs a transpose) and
   * strings (decoded whole) are read whole.
   */
  async readChunked(key: string, options: ReadOptions = {}): Promise<ChunkedTensor> {
    const m = this.byKey.get(key);
    if (!m || !streamable(m.header)) return chunkedOf(await this.read(key, options));
    const { entry, header } = m;
    if (entry.method !== 0) {
      const el = header.element;
      const chunkBytes = chunkBytesOf(options);
      const verify = options.verifyChecksums !== false;
      const chunks = async function* (): AsyncIterable<Uint8Array> {
        // Chunks are a multiple of 16 bytes from the data's start: no element straddles two.
        for await (const c of entry.contentChunks({ offset: header.dataOffset, length: header.dataBytes, chunkBytes, verify })) {
          if (el.bigEndian) swapBytesInPlace(c, el.componentSize);
          yield c;
        }
      };
      return { ...listedInfo(key, header), chunks };
    }
    const slice = await entry.slice();
    if (options.verifyChecksums === false) return chunkedNpy(header, key, slice);
    let crc = 0;
    return chunkedNpy(header, key, slice, {
      watch: (c) => { crc = crc32(c, crc); },
      check: () => {
        if (crc !== entry.crc32) {
          throw new ChecksumMismatchError('CRC-32 of member does not match the central directory', {
            file: this.src.name, entry: entry.name, expected: entry.crc32.toString(16).padStart(8, '0'), found: crc.toString(16).padStart(8, '0'),
          });
        }
      },
    });
  }

  async *tensors(options?: ReadOptions): AsyncIterable<Tensor> {
    for (const m of this.members) yield await this.read(m.key, options);
  }

  async close(): Promise<void> {
    await this.src.close?.();
  }
}
