// snappyjs ships no type declarations; this is the part of its API we call.
declare module 'snappyjs' {
  /** Decompress a raw Snappy block; throws when the declared length exceeds `maxLength`. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  /** Compress into a raw Snappy block. */
  export function compress(input: Uint8Array): Uint8Array;
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
}
