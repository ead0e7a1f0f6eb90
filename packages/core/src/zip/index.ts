/**
 * Zip container shared by `.npz` (NumPy) and `.keras` (Keras 3). Browser-safe.
 *
 * Reading — `openZip(source: ByteSource, { maxInflatedSize? })` → `ZipArchive`:
 * - reads the end-of-central-directory record (searching the last 64 KiB), the Zip64 locator
 *   and record when present, then the whole central directory in one ranged read; sizes,
 *   CRCs and offsets come from the central directory (Zip64 extra fields honoured), so data
 *   descriptors (flag bit 3) need nothing special;
 * - `archive.entries` (central-directory order) / `archive.get(name)`; each `ZipEntry` has
 *   `name, method (0 stored | 8 deflate), compressedSize, size, crc32, localHeaderOffset, flags`;
 * - `entry.slice()` → SliceSource over a stored member (lazy ranged reads, no copy, CRC not
 *   checked); `entry.bytes(verify = true)` → whole content, inflated for deflate members into a
 *   buffer of the declared size (checked first against `maxInflatedSize`, default 2 GiB − 1, and
 *   against deflate's maximum ratio), CRC-32 verified; `entry.source()` → either as a ByteSource;
 * - hostile input: a missing EOCD is NotThisFormatError; impossible counts, offsets past the
 *   central directory, overlapping members, bad local headers and bad deflate data are
 *   CorruptDataError; declared sizes over the limit are LimitExceededError; a CRC mismatch is
 *   ChecksumMismatchError — each naming the archive and the member.
 *
 * Writing — `new ZipWriter(sink: ByteSink, { forceZip64?, deflater?, level? })`:
 * - `addBytes(name, data, { compress? })`, `addParts(name, parts[], …)` (e.g. header + array
 *   without a concat), `addSource(name, source, …)` (two passes: CRC then copy, real sizes in
 *   the header; use for a file written by another library, e.g. Keras's model.weights.h5),
 *   `addChunks(name, asyncIterable, { compress?, sizeHint? })` (unknown size: data descriptor);
 *   then `finish()` (central directory + end records, then `sink.finish()`) or `abort()`;
 * - records are laid out as CPython's zipfile writes them (1980-01-01 timestamps, external
 *   attributes 0o600 << 16, made-by Unix 2.0 → 4.5 with Zip64, Zip64 fields above 2^31 − 1,
 *   Zip64 end records when needed), so `forceZip64: true` reproduces np.savez byte for byte,
 *   and np.savez_compressed too when `deflater` is a zlib-exact port (e.g. pako's deflateRaw;
 *   fflate, the default, writes valid but different deflate streams).
 *
 * CRC-32 (zip's polynomial, not CRC-32C): `crc32(data, crc?)`, `Crc32` (incremental),
 * `useCrc32Implementation(fn)` to install a native one.
 */
export * from './crc32.js';
export * from './deflater.js';
export * from './zip-reader.js';
export * from './zip-writer.js';
export {
  METHOD_DEFLATE, METHOD_STORED, FLAG_DATA_DESCRIPTOR, FLAG_UTF8, PY_ZIP64_LIMIT, unsafeMemberName,
} from './zip-format.js';
