/**
 * One adapter per format: how the CLI detects, opens and creates it. Each codec package plugs
 * in through one small file in this folder; the commands only ever see these adapters.
 */
import type { SniffInput, TensorInfo, TensorReader, TensorWriter } from '@tfweights/core';

/**
 * A writer for the pipeline. `order`, when present, lists output keys in the order the writer
 * stores them; the pipeline then reads tensors in that order so nothing is buffered.
 */
export interface PipelineWriter extends TensorWriter {
  readonly order?: readonly string[];
}

/** What detection looks at for one path the user typed. */
export interface Probe {
  /** The path as given. */
  readonly path: string;
  /** `file`, `directory`, or `missing` (a checkpoint prefix is missing by itself). */
  readonly kind: 'file' | 'directory' | 'missing';
  /** First and last bytes of a file (files only). */
  readonly sniff?: SniffInput;
  /** Names in a directory (directories only). */
  readonly entries?: readonly string[];
  /** Sibling names of a missing path (e.g. `ckpt.index` next to prefix `ckpt`). */
  readonly siblings?: readonly string[];
  /**
   * Every name in a missing path's folder, for a did-you-mean when nothing opens it (the edit
   * distances are computed then, not for every checkpoint prefix that opens).
   */
  readonly listing?: readonly string[];
}

/** Options for opening a file. */
export interface OpenOptions {
  /**
   * The Keras model config (a path to `model.to_json()` output or a `.keras` `config.json`,
   * JSON text, or the parsed object): names a Keras 3 `.weights.h5`'s variables (`dense/kernel`,
   * not `layers/dense/vars/0`) and gives model order and classes. Keras files only.
   */
  config?: string | object;
}

/** Options every writer may receive. */
export interface CreateOptions {
  /** Replace an existing output. */
  readonly overwrite: boolean;
  /** The reader being converted (writers may pass structure through: object graph, data order). */
  readonly source?: TensorReader;
  /** An opened template of the target structure (Keras model, SavedModel directory …). */
  readonly template?: TensorReader;
  /** Path of the template, for writers that copy structure from the file itself. */
  readonly templatePath?: string;
  /**
   * Every tensor that will be written, with its output key, name, dtype and shape, in the
   * order the pipeline would write them (writers whose header comes first need it).
   */
  readonly plan: readonly TensorInfo[];
  /** Format-specific choices (e.g. checkpoint `style: 'tf1' | 'tf2'`, `kerasLayout: 'keras3' | 'tf-keras-2'`). */
  readonly extra?: Readonly<Record<string, string | boolean>>;
  /** Write a match that is not certain (by order and shape, or with leftovers) instead of failing. */
  readonly allowUncertainMatch?: boolean;
  /** Receives notes on how tensors were placed. */
  readonly log?: (line: string) => void;
}

export interface FormatAdapter {
  /** Format id as `ls --json` and `--to` spell it. */
  readonly id: string;
  readonly title: string;
  /** Output extensions (lower case, with the dot); never used to detect input. */
  readonly extensions: readonly string[];
  /** True when the probe is this format (magic bytes, directory layout). */
  detect(probe: Probe): boolean;
  /** Open for reading. */
  open?(path: string, opts?: OpenOptions): Promise<TensorReader>;
  /** Create a writer at `path` (atomic: nothing appears until finish()). */
  create?(path: string, opts: CreateOptions): Promise<PipelineWriter>;
  /** True when OUT is a prefix that files are named after (a checkpoint): any dots in it are not an extension. */
  readonly namedByPrefix?: boolean;
  /** True when the writer needs `--template` (SavedModel). */
  readonly needsTemplate?: boolean;
  /**
   * Whether the output can hold this tensor (e.g. a weights-only Keras file has no place for
   * optimizer state or a checkpoint's save_counter). Tensors it refuses are planned as left
   * out, with the reason, instead of being dropped silently by the writer.
   */
  accepts?(info: TensorInfo, opts: Pick<CreateOptions, 'source' | 'template'>): true | string;
}
