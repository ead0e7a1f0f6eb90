/**
 * Constants of TensorFlow's SSTable (LevelDB table fork): tensorflow/core/lib/io/format.h,
 * table_options.h, table_builder.cc (now tsl/lib/io/…). FORMATS.md §2.2.
 */

/** Last 8 bytes of every table: kTableMagicNumber 0xdb4775248b80fb57, low word first. */
export const TABLE_MAGIC = new Uint8Array([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]);
/** Footer::kEncodedLength = 2 * BlockHandle::kMaxEncodedLength + 8. */
export const FOOTER_LENGTH = 48;
/** 1 byte compression type + fixed32 masked CRC. */
export const BLOCK_TRAILER_LENGTH = 5;
export const NO_COMPRESSION = 0;
export const SNAPPY_COMPRESSION = 1;
/** Table parameters BundleWriter uses (table_options.h defaults, compression off). */
export const BLOCK_SIZE = 262144;
export const DATA_RESTART_INTERVAL = 16;
export const INDEX_RESTART_INTERVAL = 1;

export interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/** Unsigned byte-wise comparison (memcmp order), the table's key order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
