/**
 * Where a KerasReader gets dataset bytes from. In Node the libhdf5 reads of an untrusted file
 * run in a budgeted worker thread (`node/h5-walk.ts`), so the reader only needs this small
 * async interface; in a browser (and for `KerasReader.open`) a synchronous H5Reader on the
 * current thread serves it through {@link h5ReaderData}.
 */
import { H5Reader, type H5DatasetInfo } from './h5-file.js';

export interface KerasData {
  /** A dataset's bytes, little-endian, C order (read in bounded hyperslabs). */
  readRaw(ds: H5DatasetInfo): Promise<Uint8Array>;
  /** The same bytes slab by slab; each chunk is valid until the next one is taken. */
  rawChunks(ds: H5DatasetInfo): AsyncIterable<Uint8Array>;
  /** String dataset elements (UTF-8 bytes). */
  readStrings(path: string): Promise<Uint8Array[]>;
  /** Close the file (never throws for a file already gone with its module). */
  close(): Promise<void>;
}

/** KerasData over an H5Reader on this thread. */
export function h5ReaderData(h5: H5Reader): KerasData {
  return {
    // (Promise executors run at once: the read happens now, its error becomes a rejection.)
    readRaw: (ds) => new Promise((resolve) => resolve(h5.readRaw(ds))),
    rawChunks: async function* (ds) {
      for (const c of h5.rawChunks(ds)) yield c.bytes;
    },
    readStrings: (path) => new Promise((resolve) => resolve(h5.readStrings(path))),
    close: () => {
      h5.close();
      return Promise.resolve();
    },
  };
}
