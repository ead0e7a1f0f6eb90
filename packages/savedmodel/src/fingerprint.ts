/**
 * `fingerprint.pb` (tensorflow/core/protobuf/fingerprint.proto `FingerprintDef`):
 * saved_model_checksum = 1, graph_def_program_hash = 2, signature_def_hash = 3,
 * saved_object_graph_hash = 4, checkpoint_hash = 5 (uint64 each), version = 6 (VersionDef),
 * uuid = 7 (newer TF). TF writes `checkpoint_hash` = FarmHash Fingerprint64 of the raw
 * `variables/variables.index` bytes (tensorflow/cc/saved_model/fingerprinting_utils.cc
 * `HashCheckpointIndexFile`). Loading never validates it (see README): it feeds metrics only.
 */
import { fieldSpans, forEachField, WIRE } from './proto-wire.js';
import type { FingerprintInfo } from './types.js';

/** Decode fingerprint.pb. Fields may come in any order (TF 2.14 writes them descending). */
export function decodeFingerprint(bytes: Uint8Array, file = 'fingerprint.pb'): FingerprintInfo {
  const f: { -readonly [K in keyof FingerprintInfo]: FingerprintInfo[K] } = {
    savedModelChecksum: 0n, graphDefProgramHash: 0n, signatureDefHash: 0n, savedObjectGraphHash: 0n, checkpointHash: 0n,
  };
  const ctx = { file, base: 0, what: 'FingerprintDef' };
  forEachField(bytes, ctx, (x) => {
    switch (x.number) {
      case 1: f.savedModelChecksum = x.uint64(); break;
      case 2: f.graphDefProgramHash = x.uint64(); break;
      case 3: f.signatureDefHash = x.uint64(); break;
      case 4: f.savedObjectGraphHash = x.uint64(); break;
      case 5: f.checkpointHash = x.uint64(); break;
      case 6: {
        const m = x.message();
        forEachField(m.bytes, { file, base: m.base, what: 'FingerprintDef.version' }, (v) => {
          if (v.number !== 1) return false;
          f.versionProducer = v.int32();
        });
        break;
      }
      default: return false;
    }
  });
  return f;
}

/** Varint bytes of an unsigned 64-bit value (protobuf wire format). */
export function uint64Varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/**
 * fingerprint.pb with `checkpoint_hash` replaced, every other field kept byte for byte and in
 * its original order. A zero hash removes the field (proto3 omits defaults); a missing field is
 * appended.
 */
export function withCheckpointHash(bytes: Uint8Array, hash: bigint, file = 'fingerprint.pb'): Uint8Array {
  decodeFingerprint(bytes, file); // validates every field, including checkpoint_hash's wire type
  const fresh = hash === 0n ? new Uint8Array(0) : Uint8Array.from([(5 << 3) | WIRE.varint, ...uint64Varint(hash)]);
  const parts: Uint8Array[] = [];
  let replaced = false;
  for (const span of fieldSpans(bytes, { file, base: 0, what: 'FingerprintDef' })) {
    if (span.number !== 5) parts.push(bytes.subarray(span.start, span.end));
    else if (!replaced) {
      parts.push(fresh);
      replaced = true;
    }
  }
  if (!replaced) parts.push(fresh);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
