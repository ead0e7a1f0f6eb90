/** Messages between the page and the h5wasm worker (structured-cloned; tensor bytes transferred). */
import type { LayerInfo, Tensor, TensorInfo } from '@tfweights/core';
import type { KerasLayout } from '@tfweights/keras';
import type { UrlRange } from './range-file.js';

/** How the worker's Keras writer is made: the options tfweights' kerasH5WriterOptions / keras3WriterOptions and kerasWriter decide. */
export interface WorkerWriterOptions {
  /** `keras-h5`: a legacy `.h5` (LegacyH5Stream); `keras3`: a `.weights.h5` (Keras3WeightsStream). */
  readonly kind: 'keras-h5' | 'keras3';
  readonly classes: Record<string, string>;
  readonly layout?: KerasLayout;
  readonly modelConfig?: unknown;
  readonly trainingConfig?: unknown;
  readonly kerasVersion?: string;
}

export type H5Request =
  /** An HDF5 file: a Blob (a File, a slice of one), or a URL range read lazily in the worker (range-file.ts). */
  | { id: number; op: 'open'; blob: Blob | UrlRange; name: string; config?: unknown; metadata?: Record<string, unknown> }
  | { id: number; op: 'read'; handle: number; key: string }
  | { id: number; op: 'close'; handle: number }
  /** A Keras HDF5 output written in the worker's memory file system (worker-writers.ts). */
  | { id: number; op: 'create'; name: string; options: WorkerWriterOptions }
  | { id: number; op: 'write'; handle: number; tensor: Tensor }
  /** Close it: answers its size and layers. */
  | { id: number; op: 'finish'; handle: number }
  /** A slice of a finished output. */
  | { id: number; op: 'chunk'; handle: number; offset: number; length: number }
  /** Drop the output (aborted if unfinished) and its file. */
  | { id: number; op: 'release'; handle: number };

export interface OpenedH5 {
  readonly handle: number;
  readonly format: 'keras-h5' | 'keras3';
  readonly source: string;
  readonly metadata: Record<string, unknown>;
  readonly list: TensorInfo[];
  readonly layers: LayerInfo[];
}

/** A TfwError crosses the boundary as its code and one-line message. */
export interface WorkerError {
  readonly code?: string;
  readonly message: string;
}

export type H5Response =
  | { id: number; ok: true; opened?: OpenedH5; tensor?: Tensor; handle?: number; bytes?: Uint8Array; size?: number; layers?: { name: string; className?: string }[] }
  | { id: number; ok: false; error: WorkerError };
