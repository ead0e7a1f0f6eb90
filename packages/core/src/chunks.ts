/**
 * Chunked tensors: a tensor's bytes flow from a reader to a writer in bounded chunks
 * (at most {@link CHUNK_BYTES}, in reused buffers) and are never whole in memory, so a
 * conversion needs the same few MiB for a 6 GiB embedding as for a bias. Readers hand out
 * {@link ChunkedTensor}s (`readChunked`), writers take them (`writeChunked`); checksums are
 * computed on the fly and a mismatch is thrown after the last chunk, which makes the writer
 * abort its atomic output.
 */
import type { ByteSink } from './byte-sink.js';
import type { ByteSource } from './byte-source.js';
import { InvalidArgumentError, LimitExceededError } from './errors.js';
import type { Tensor, TensorInfo } from './tensor.js';

/** Largest chunk handed out (8 MiB: a multiple of every element size, large enough for full-speed I/O). */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * A fixed-size tensor whose data is produced in chunks. `chunks()` yields the bytes in order,
 * little-endian like {@link Tensor.data}, `byteLength` bytes in all. A chunk is valid only until
 * the next one is asked for (buffers are reused), so consumers copy what they keep. Each call
 * of `chunks()` starts a new pass. The iterator throws after the last chunk when a stored
 * checksum does not match.
 */
export interface ChunkedTensor extends TensorInfo {
  chunks(): AsyncIterable<Uint8Array>;
}

/** The chunk size a reader uses for `options.chunkBytes`: a multiple of 16 bytes, at most {@link CHUNK_BYTES} by default. */
export function chunkBytesOf(options: { chunkBytes?: number } = {}): number {
  const asked = options.chunkBytes ?? CHUNK_BYTES;
  if (!Number.isFinite(asked) || asked < 1) throw new InvalidArgumentError(`chunkBytes must be a positive number (got ${asked})`);
  return Math.max(16, Math.floor(asked / 16) * 16);
}

/** True for a {@link ChunkedTensor} (no `data`, a `chunks` function). */
export function isChunked(t: Tensor | ChunkedTensor): t is ChunkedTensor {
  return typeof (t as Partial<ChunkedTensor>).chunks === 'function' && (t as Partial<Tensor>).data === undefined;
}

/** Views of `data` of at most `size` bytes each (no copy). */
export function* sliceChunks(data: Uint8Array, size = CHUNK_BYTES): Iterable<Uint8Array> {
  for (let at = 0; at < data.byteLength; at += size) yield data.subarray(at, Math.min(data.byteLength, at + size));
}

/** A whole tensor as a chunked one (views of its data). */
export function chunkedOf(t: Tensor): ChunkedTensor {
  const { data, strings: _s, ...info } = t;
  return { ...info, chunks: async function* () { yield* sliceChunks(data); } };
}

/** What a `chunks` function can say of its chunks (see {@link withVerifiedCrc32c}, {@link withWriteBehind}). */
interface ChunkMarks {
  readonly verifiedCrc32c?: number;
  readonly writeBehind?: true;
}
type MarkedChunks = ChunkedTensor['chunks'] & ChunkMarks;

/** `chunks` with `marks` added to those it has. A new function, so marks never leak to other tensors. */
function mark(chunks: ChunkedTensor['chunks'], marks: ChunkMarks): ChunkedTensor['chunks'] {
  const { verifiedCrc32c, writeBehind } = chunks as MarkedChunks;
  return Object.assign((() => chunks()) as MarkedChunks, { verifiedCrc32c, writeBehind }, marks);
}

/**
 * Mark `chunks` as yielding bytes whose CRC-32C (masked, as TensorFlow stores it) is `masked`:
 * a reader that checks the stored CRC on every pass, and throws before a pass ends when the
 * bytes differ, can say so, and a writer that needs the same CRC (checkpoint → checkpoint)
 * takes it instead of computing it again. The mark sits on the function, not on the tensor, so
 * anything that replaces `chunks` with other bytes (a cast, a byte swap) drops it.
 */
export function withVerifiedCrc32c(chunks: ChunkedTensor['chunks'], masked: number): ChunkedTensor['chunks'] {
  return mark(chunks, { verifiedCrc32c: masked >>> 0 });
}

/** The masked CRC-32C `t.chunks()` is known to have (see {@link withVerifiedCrc32c}), if any. */
export function verifiedCrc32cOf(t: ChunkedTensor): number | undefined {
  return (t.chunks as MarkedChunks).verifiedCrc32c;
}

/**
 * Mark `chunks` as keeping each chunk unchanged until the chunk after the next one is asked
 * for ({@link sourceChunks} reads into three buffers), one more than {@link ChunkedTensor}
 * promises. A writer may then leave a chunk's write running while it checksums the next
 * (`ByteSink.writeBehind`): the disk, the read-ahead and the CRC overlap. Like every mark it
 * is dropped by whatever replaces `chunks` (a cast reuses one output buffer).
 */
export function withWriteBehind(chunks: ChunkedTensor['chunks']): ChunkedTensor['chunks'] {
  return mark(chunks, { writeBehind: true });
}

/** Whether a writer may write `t`'s chunks behind (see {@link withWriteBehind}). */
export function allowsWriteBehind(t: ChunkedTensor): boolean {
  return (t.chunks as MarkedChunks).writeBehind === true;
}

/**
 * How a writer puts chunks into `sink`: written behind when `behind` (the chunks allow it:
 * {@link allowsWriteBehind}) and the sink can (`ByteSink.writeBehind`), else one write at a time.
 */
export function chunkWriter(sink: ByteSink, behind: boolean): (bytes: Uint8Array) => Promise<void> {
  if (behind && sink.writeBehind) return (bytes) => sink.writeBehind!(bytes);
  return (bytes) => sink.write(bytes);
}

/** The same chunks under other facts (key, name, layer …). */
export function withInfo(t: ChunkedTensor, info: Partial<TensorInfo>): ChunkedTensor {
  return { ...t, ...info, chunks: t.chunks };
}

/**
 * Collect a chunked tensor into a whole one, for writers that need every byte at once.
 * Refuses more than `limit` bytes, and data whose length differs from `byteLength`.
 */
export async function materialize(t: ChunkedTensor, limit = Number.MAX_SAFE_INTEGER): Promise<Tensor> {
  if (t.byteLength > limit) throw new LimitExceededError(`tensor '${t.key}' is ${t.byteLength} bytes, more than the ${limit} this writer holds in memory`);
  const data = new Uint8Array(t.byteLength);
  let at = 0;
  for await (const c of t.chunks()) {
    if (at + c.byteLength > data.byteLength) throw lengthError(t, at + c.byteLength);
    data.set(c, at);
    at += c.byteLength;
  }
  if (at !== data.byteLength) throw lengthError(t, at);
  const { chunks: _c, ...info } = t;
  return { ...info, data };
}

function lengthError(t: TensorInfo, got: number): InvalidArgumentError {
  return new InvalidArgumentError(`tensor '${t.key}' of ${t.dtype} [${t.shape.join(', ')}] needs ${t.byteLength} bytes, its chunks carry ${got === t.byteLength ? 'more' : `at least ${got}`}`);
}

/** Pass chunks through, throwing when they add up to more or fewer than `t.byteLength` bytes. */
export async function* checkLength(t: TensorInfo, chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const c of chunks) {
    total += c.byteLength;
    if (total > t.byteLength) throw lengthError(t, total);
    yield c;
  }
  if (total !== t.byteLength) throw lengthError(t, total);
}

export interface SourceChunkOptions {
  /** Chunk size (default {@link CHUNK_BYTES}). */
  chunkBytes?: number;
  /** Named in range errors. */
  what?: string;
  /** Start reading the next chunk while the current one is used (default true). */
  readAhead?: boolean;
  /** Use the source's own stream when it has one (default false: positional reads, see below). */
  stream?: boolean;
}

/**
 * Bytes [offset, offset + length) of a source in chunks, read into three reused buffers: the
 * next chunk is read (in libuv's threads) while the consumer checksums the current one and the
 * one before may still be being written ({@link withWriteBehind}: a chunk stays unchanged until
 * the chunk after the next is asked for). Memory: three chunks, whatever the length. `stream: true` uses the source's own stream
 * instead (Node file streams): measured 1.5× faster reading from the page cache alone, but no
 * faster in a disk-bound conversion, and its fresh buffers doubled the peak RSS (77 → 147 MiB
 * for checkpoint → npz), so positional reads are the default (numbers in the converter README).
 */
export async function* sourceChunks(source: ByteSource, offset: number, length: number, opts: SourceChunkOptions = {}): AsyncIterable<Uint8Array> {
  const size = Math.max(1, Math.min(opts.chunkBytes ?? CHUNK_BYTES, length));
  if (length === 0) return;
  if (source.readStream && opts.stream === true) {
    yield* source.readStream(offset, length, size, opts.what);
    return;
  }
  // Allocated when first needed: a tensor of one chunk uses one buffer.
  const buffers: Uint8Array[] = [];
  const buffer = (i: number) => (buffers[i % 3] ??= new Uint8Array(size));
  const what = opts.what ?? 'data';
  const readChunk = async (at: number, into: Uint8Array): Promise<Uint8Array> => {
    const n = Math.min(size, length - at);
    const view = into.subarray(0, n);
    if (source.readInto) await source.readInto(offset + at, view, what);
    else view.set(await source.read(offset + at, n, what));
    return view;
  };
  const ahead = opts.readAhead ?? true;
  let next: Promise<Uint8Array> | undefined = readChunk(0, buffer(0));
  for (let at = 0, i = 0; at < length; at += size, i++) {
    const current = await next!;
    const following = at + size;
    next = undefined;
    if (ahead && following < length) {
      next = readChunk(following, buffer(i + 1));
      // Reported when awaited; keep it from counting as unhandled meanwhile.
      next.catch(() => undefined);
    }
    yield current;
    if (!ahead && following < length) next = readChunk(following, buffer(i + 1));
  }
}

/**
 * Pass chunks through while `update` sees each; after the last one, `check()` runs and may
 * throw (a checksum mismatch), so the consumer's loop fails before it finishes its output.
 */
export async function* verified(chunks: AsyncIterable<Uint8Array>, update: (chunk: Uint8Array) => void, check: () => void): AsyncIterable<Uint8Array> {
  for await (const c of chunks) {
    update(c);
    yield c;
  }
  check();
}

/**
 * Elementwise transform of a chunk stream: elements of `inSize` bytes become elements of
 * `outSize` bytes through `convert(input, output)` on whole elements. Elements split across
 * chunk boundaries are carried over, so any chunking works; output chunks are reused buffers
 * of at most {@link CHUNK_BYTES}.
 */
export async function* mapElements(
  chunks: AsyncIterable<Uint8Array>, inSize: number, outSize: number,
  convert: (input: Uint8Array, output: Uint8Array) => void,
): AsyncIterable<Uint8Array> {
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(inSize, outSize)));
  const out = new Uint8Array(perChunk * outSize);
  const carry = new Uint8Array(inSize);
  let carried = 0;
  for await (let c of chunks) {
    if (carried > 0) {
      const take = Math.min(inSize - carried, c.byteLength);
      carry.set(c.subarray(0, take), carried);
      carried += take;
      c = c.subarray(take);
      if (carried < inSize) continue;
      convert(carry, out.subarray(0, outSize));
      yield out.subarray(0, outSize);
      carried = 0;
    }
    const whole = Math.floor(c.byteLength / inSize);
    for (let e = 0; e < whole; e += perChunk) {
      const n = Math.min(perChunk, whole - e);
      const o = out.subarray(0, n * outSize);
      convert(c.subarray(e * inSize, (e + n) * inSize), o);
      yield o;
    }
    const rest = c.byteLength - whole * inSize;
    if (rest > 0) {
      carry.set(c.subarray(whole * inSize), 0);
      carried = rest;
    }
  }
  if (carried > 0) throw new InvalidArgumentError(`data ends inside an element (${carried} of ${inSize} bytes)`);
}
