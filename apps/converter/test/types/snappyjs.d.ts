// Type-checking this app against the codecs' TypeScript sources (the `source` condition) also
// checks @tfweights/checkpoint's sources, whose ambient declaration for snappyjs lives in a
// .d.ts its import does not reach. This mirrors it for `pnpm lint` here only (not built).
declare module 'snappyjs' {
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(input: Uint8Array): Uint8Array;
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
}
