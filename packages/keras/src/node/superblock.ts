/**
 * A look at the HDF5 superblock before libhdf5 sees the file, so a truncated download gets a
 * specific message (HDF5 File Format Specification, "Superblock": the end-of-file address is at
 * byte 40 in versions 0/1 with 8-byte offsets, at byte 28 in versions 2/3).
 */
import { CorruptDataError } from '@tfweights/core';

/** Throw when the superblock at offset 0 says the file is longer than it is. */
export function checkNotTruncated(head: Uint8Array, size: number, name: string): void {
  if (head.length < 12) throw new CorruptDataError('HDF5 file ends inside its superblock (truncated)', { file: name, expected: 'a superblock', found: `${size} bytes` });
  const version = head[8]!;
  let eofAt: number;
  let sizeOfOffsets: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = head[13]!;
    eofAt = 24 + (version === 1 ? 4 : 0) + 2 * sizeOfOffsets;
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = head[9]!;
    eofAt = 12 + 2 * sizeOfOffsets;
  } else {
    return;
  }
  if (sizeOfOffsets !== 8 && sizeOfOffsets !== 4) return;
  if (head.length < eofAt + sizeOfOffsets) {
    throw new CorruptDataError('HDF5 file ends inside its superblock (truncated)', { file: name, expected: `at least ${eofAt + sizeOfOffsets} bytes`, found: `${size} bytes` });
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const eof = sizeOfOffsets === 8 ? Number(view.getBigUint64(eofAt, true)) : view.getUint32(eofAt, true);
  if (eof > size) {
    throw new CorruptDataError('HDF5 file is truncated (an interrupted download or copy?)', {
      file: name, expected: `${eof} bytes as its superblock records`, found: `${size} bytes`,
    });
  }
}
