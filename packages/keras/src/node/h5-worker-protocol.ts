/**
 * Messages between the calling thread (`h5-walk.ts`) and the libhdf5 worker
 * (`h5-walk-worker.ts`). The worker keeps the files it opened by handle.
 */
import type { H5DatasetInfo, H5Slab } from '../h5-file.js';
import type { ParsedLayout } from '../legacy-layout.js';
import type { SentError } from './worker-error.js';

export type H5Request =
  /** Open a host file, walk its metadata and keep it open for data reads. */
  | { readonly id: number; readonly op: 'open'; readonly path: string; readonly name: string; readonly config?: unknown; readonly metadata?: Record<string, unknown> }
  /** One slab of a dataset; `buffer` (transferred) is filled when it is large enough. */
  | { readonly id: number; readonly op: 'read'; readonly handle: number; readonly ds: H5DatasetInfo; readonly slab: H5Slab; readonly buffer?: ArrayBuffer }
  | { readonly id: number; readonly op: 'strings'; readonly handle: number; readonly path: string }
  | { readonly id: number; readonly op: 'close'; readonly handle: number };

export interface OpenedFile {
  readonly handle: number;
  readonly layout: ParsedLayout;
  /** Size of the file when it was opened (every later read checks it is unchanged). */
  readonly fileSize: number;
}

export type H5Value =
  | OpenedFile
  /** `byteLength` bytes at the start of `buffer` (transferred). */
  | { readonly buffer: ArrayBuffer; readonly byteLength: number }
  | { readonly strings: Uint8Array[] }
  | { readonly closed: true };

/**
 * `tainted`: libhdf5 in this worker leaked a file on a failure path (or its module aborted);
 * the worker takes no more files and is ended once its open files are closed.
 */
export type H5Reply =
  | { readonly id: number; readonly ok: true; readonly tainted: boolean; readonly value: H5Value }
  | { readonly id: number; readonly ok: false; readonly tainted: boolean; readonly error: SentError };
