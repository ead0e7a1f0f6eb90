/**
 * Tiny protobuf builder for tests: messages as lists of [field, value] in the order given, so
 * tests can produce descending field order, unknown fields and hostile lengths on purpose.
 */
import pb from 'protobufjs/minimal.js';
import { uint64Varint } from '../src/fingerprint.js';

export type Value = number | bigint | string | Uint8Array | boolean | Msg | { float: number };
export type Msg = [number, Value][];

const varint = uint64Varint;

export function encode(msg: Msg): Uint8Array {
  const parts: number[] = [];
  const push = (b: ArrayLike<number>) => {
    for (let i = 0; i < b.length; i++) parts.push(b[i]!);
  };
  for (const [field, value] of msg) {
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      push(varint(BigInt(field << 3)));
      push(varint(typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value)));
    } else if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
      push(varint(BigInt((field << 3) | 5)));
      const w = pb.Writer.create();
      w.float(value.float);
      push(w.finish());
    } else {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value instanceof Uint8Array ? value : encode(value);
      push(varint(BigInt((field << 3) | 2)));
      push(varint(BigInt(bytes.length)));
      push(bytes);
    }
  }
  return Uint8Array.from(parts);
}

/** TensorShapeProto from dims (null = unknown rank). */
export function shape(dims: number[] | null): Msg {
  if (dims === null) return [[3, true]];
  return dims.map((d) => [2, [[1, BigInt(d)]]] as [number, Value]);
}
