/**
 * The slice of h5wasm this package uses, passed in rather than imported so `src/` stays
 * browser-safe: Node code hands in `h5wasm/node` (host file access through NODERAWFS), a
 * browser would hand in the main ESM entry with its in-memory file system.
 */
import type * as H5 from 'h5wasm';

/** The h5wasm namespace (default export) after `ready` has resolved. */
export type H5Wasm = typeof H5.default;
/** The Emscripten module behind h5wasm (its low-level functions and heap). */
export type H5Module = Awaited<typeof H5.ready>;
export type H5Metadata = H5.Metadata;
export type H5File = H5.File;
export type H5Group = H5.Group;
export type H5Dataset = H5.Dataset;

/** h5wasm plus its ready module, as one handle. */
export interface H5Api {
  readonly h5: H5Wasm;
  readonly module: H5Module;
  /**
   * Let libhdf5 open `path` for reading (a confined module refuses every other read-only
   * open); returns the function that takes the permission back.
   */
  readonly allowFile?: (path: string) => () => void;
  /** Paths libhdf5 tried to read and was refused since the last call. */
  readonly takeRefused?: () => string[];
  /** Called after a wasm abort: the next request for the module gets a fresh instance. */
  readonly markBroken?: () => void;
}

/** HDF5 type classes (H5Tpublic.h `H5T_class_t`). */
export const H5T = {
  INTEGER: 0,
  FLOAT: 1,
  STRING: 3,
  BITFIELD: 4,
  OPAQUE: 5,
  COMPOUND: 6,
  ENUM: 8,
} as const;
