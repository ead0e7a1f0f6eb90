/**
 * The contracts every codec implements: a reader that lists without reading data and reads
 * one tensor with one ranged read; a writer that takes tensors one by one and finishes
 * atomically; and a Format descriptor that the registry sniffs.
 */
import type { ChunkedTensor } from './chunks.js';
import type { Tensor, TensorInfo } from './tensor.js';
import type { SniffInput } from './sniff.js';

/** Format ids used by the CLI's `--to` and `--json` output. */
export type FormatId =
  | 'checkpoint' | 'savedmodel' | 'keras-h5' | 'keras3' | 'npy' | 'npz' | 'tfjs' | 'safetensors'
  | (string & {});

export interface ReadOptions {
  /** Verify stored checksums while reading (default true where the format has them). */
  verifyChecksums?: boolean;
  /**
   * Largest chunk `readChunked` hands out (default `CHUNK_BYTES`, 8 MiB; rounded down to a
   * multiple of 16 bytes, so no element or byte-swapped component straddles two chunks).
   */
  chunkBytes?: number;
}

/** A layer (or object) and its weights in order, as `model.layers` / `get_weights()` show them. */
export interface LayerInfo {
  readonly name: string;
  /** Layer class from the model config, when the file has one. */
  readonly className?: string;
  /** Keys of this layer's tensors, in the layer's own weight order. */
  readonly weights: readonly string[];
}

export interface TensorReader {
  /** Format id, e.g. `checkpoint`. */
  readonly format: FormatId;
  /** What was opened (path, URL or label), for messages. */
  readonly source: string;
  /** Every tensor, without reading data. */
  list(): readonly TensorInfo[];
  /** One tensor by key (or readable name, where the format allows). Throws TensorNotFoundError. */
  read(key: string, options?: ReadOptions): Promise<Tensor>;
  /** Every tensor, in file order (for streaming conversions). */
  tensors(options?: ReadOptions): AsyncIterable<Tensor>;
  /**
   * One fixed-size tensor as a {@link ChunkedTensor}: its bytes in bounded chunks, checksums
   * verified on the fly. Optional; conversions use it when both sides stream. Readers may
   * return a whole-tensor fallback (`chunkedOf(await read(key))`) where the layout does not
   * allow streaming (partitioned variables, compressed members, Fortran order).
   */
  readChunked?(key: string, options?: ReadOptions): Promise<ChunkedTensor>;
  /** Layers in model order, for formats that know them. */
  layers?(): readonly LayerInfo[];
  /** Format-level facts (versions, tags, config JSON …) for `inspect`. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface TensorWriter {
  /** Add one tensor; any order unless the format says otherwise. */
  write(tensor: Tensor): Promise<void>;
  /** Add one fixed-size tensor from its chunks, never holding it whole (optional). */
  writeChunked?(tensor: ChunkedTensor): Promise<void>;
  /** Complete the output and move it into place. */
  finish(): Promise<void>;
  /** Drop partial output; the target is left as it was. */
  abort(): Promise<void>;
}

/** Descriptor of one format, apart from its parser (compare loaders.gl's `*-format.ts`). */
export interface Format {
  readonly id: FormatId;
  readonly title: string;
  /** Usual file extensions, for choosing an output format; never used to detect input. */
  readonly extensions: readonly string[];
  /** True when the bytes carry this format's magic. */
  sniff(input: SniffInput): boolean;
}

/** Formats known to this process, asked in registration order. */
export class FormatRegistry {
  private readonly formats: Format[] = [];
  register(format: Format): this {
    if (!this.formats.some((f) => f.id === format.id)) this.formats.push(format);
    return this;
  }
  all(): readonly Format[] {
    return this.formats;
  }
  get(id: FormatId): Format | undefined {
    return this.formats.find((f) => f.id === id);
  }
  /** The first format whose sniffer accepts the input. */
  sniff(input: SniffInput): Format | undefined {
    return this.formats.find((f) => f.sniff(input));
  }
  /** Formats whose extensions end the given file name (longest extension wins). */
  byExtension(fileName: string): Format | undefined {
    const lower = fileName.toLowerCase();
    let best: { f: Format; len: number } | undefined;
    for (const f of this.formats) {
      for (const ext of f.extensions) {
        if (lower.endsWith(ext) && (!best || ext.length > best.len)) best = { f, len: ext.length };
      }
    }
    return best?.f;
  }
}

/** Write every tensor, then finish; on any error abort the writer (no partial output) and rethrow. */
export async function writeAll(writer: TensorWriter, tensors: Iterable<Tensor> | AsyncIterable<Tensor>): Promise<void> {
  try {
    for await (const t of tensors) await writer.write(t);
    await writer.finish();
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}
