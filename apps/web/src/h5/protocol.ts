/** Messages between the page and the h5wasm worker (structured-cloned; tensor bytes transferred). */
import type { LayerInfo, Tensor, TensorInfo } from '@tfweights/core';

export type H5Request =
  | { id: number; op: 'open'; blob: Blob; name: string; config?: unknown; metadata?: Record<string, unknown> }
  | { id: number; op: 'read'; handle: number; key: string }
  | { id: number; op: 'close'; handle: number }
  /** A Keras 3 `.weights.h5` written in the worker's memory file system (Keras3WeightsStream). */
  | { id: number; op: 'create'; name: string; classes: Record<string, string> }
  | { id: number; op: 'write'; handle: number; tensor: Tensor }
  | { id: number; op: 'finish'; handle: number }
  | { id: number; op: 'abort'; handle: number };

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
  | { id: number; ok: true; opened?: OpenedH5; tensor?: Tensor; handle?: number; bytes?: Uint8Array }
  | { id: number; ok: false; error: WorkerError };
