/**
 * In-memory decoders for the small messages of `saved_model.pb` (each already cut out of the
 * file by the streaming layer): signatures, SaverDef, asset defs, object graph nodes, shapes.
 * Field numbers: tensorflow/core/protobuf/{meta_graph,saver,saved_object_graph}.proto,
 * tensorflow/core/framework/{tensor_shape,variable}.proto.
 */
import { dtypeFromTfEnum, isTfwError, type DTypeName } from '@tfweights/core';
import { forEachField, toSafeNumber, type WireContext } from './proto-wire.js';
import type {
  ObjectReference, SavedObjectInfo, SavedObjectKind, SavedVariableInfo, SaverDefInfo, ShapeSpec, SignatureInfo, SignatureTensor,
} from './types.js';

/** Sub-context for a nested message. */
export function sub(ctx: WireContext, what: string, m: { bytes: Uint8Array; base: number }): [Uint8Array, WireContext] {
  return [m.bytes, { file: ctx.file, base: m.base, what: `${ctx.what}.${what}` }];
}

/** Dtype name of a TF enum, or undefined for DT_INVALID / numbers newer than our table. */
export function dtypeOrUndefined(tfEnum: number, file: string): DTypeName | undefined {
  if (tfEnum === 0) return undefined;
  try {
    return dtypeFromTfEnum(tfEnum, file).name;
  } catch (err) {
    if (isTfwError(err)) return undefined;
    throw err;
  }
}

/** TensorShapeProto { repeated Dim dim = 2 { int64 size = 1; string name = 2; } bool unknown_rank = 3; } */
export function decodeShape(bytes: Uint8Array, ctx: WireContext): ShapeSpec {
  const dims: number[] = [];
  let unknownRank = false;
  forEachField(bytes, ctx, (f) => {
    if (f.number === 2) {
      const [b, c] = sub(ctx, 'dim', f.message());
      let size = 0;
      forEachField(b, c, (g) => {
        if (g.number !== 1) return false;
        size = toSafeNumber(g.int64(), c, 'dimension size');
      });
      dims.push(size);
    } else if (f.number === 3) {
      unknownRank = f.bool();
    } else return false;
  });
  return unknownRank ? null : dims;
}

/** meta_graph.proto TensorInfo { name = 1 | coo_sparse = 4 | composite_tensor = 5; dtype = 2; tensor_shape = 3 }. */
function decodeTensorInfo(key: string, bytes: Uint8Array, ctx: WireContext): SignatureTensor {
  let tensorName: string | undefined;
  let encoding: SignatureTensor['encoding'] = 'none';
  let tfDtype = 0;
  let shape: ShapeSpec = null;
  forEachField(bytes, ctx, (f) => {
    switch (f.number) {
      case 1: tensorName = f.string(); encoding = 'name'; break;
      case 2: tfDtype = f.int32(); break;
      case 3: shape = decodeShape(...sub(ctx, 'tensor_shape', f.message())); break;
      case 4: encoding = 'coo_sparse'; return false;
      case 5: encoding = 'composite_tensor'; return false;
      default: return false;
    }
  });
  const dtype = dtypeOrUndefined(tfDtype, ctx.file);
  return { key, encoding, tfDtype, shape, ...(tensorName !== undefined ? { tensorName } : {}), ...(dtype ? { dtype } : {}) };
}

/** A protobuf map entry { key = 1; value = 2 } with a string key. */
export function decodeMapEntry(bytes: Uint8Array, ctx: WireContext): { key: string; value?: { bytes: Uint8Array; base: number } } {
  let key = '';
  let value: { bytes: Uint8Array; base: number } | undefined;
  forEachField(bytes, ctx, (f) => {
    if (f.number === 1) key = f.string();
    else if (f.number === 2) value = f.message();
    else return false;
  });
  return { key, ...(value ? { value } : {}) };
}

/** One `signature_def` map entry → SignatureInfo. SignatureDef { inputs = 1; outputs = 2; method_name = 3; defaults = 4 }. */
export function decodeSignatureEntry(bytes: Uint8Array, ctx: WireContext): SignatureInfo {
  const entry = decodeMapEntry(bytes, ctx);
  const inputs: SignatureTensor[] = [];
  const outputs: SignatureTensor[] = [];
  let methodName = '';
  if (entry.value) {
    const [b, c] = sub(ctx, `[${entry.key}]`, entry.value);
    forEachField(b, c, (f) => {
      if (f.number === 1 || f.number === 2) {
        const [eb, ec] = sub(c, f.number === 1 ? 'inputs' : 'outputs', f.message());
        const e = decodeMapEntry(eb, ec);
        const info = e.value ? decodeTensorInfo(e.key, ...sub(ec, `[${e.key}]`, e.value)) : { key: e.key, encoding: 'none' as const, tfDtype: 0, shape: null };
        (f.number === 1 ? inputs : outputs).push(info);
      } else if (f.number === 3) {
        methodName = f.string();
      } else return false;
    });
  }
  const byKey = (a: SignatureTensor, b: SignatureTensor) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return { key: entry.key, methodName, inputs: inputs.sort(byKey), outputs: outputs.sort(byKey) };
}

/** saver.proto SaverDef. */
export function decodeSaverDef(bytes: Uint8Array, ctx: WireContext): SaverDefInfo {
  const s = { filenameTensorName: '', saveTensorName: '', restoreOpName: '', maxToKeep: 0, sharded: false, keepCheckpointEveryNHours: 0, version: 0 };
  forEachField(bytes, ctx, (f) => {
    switch (f.number) {
      case 1: s.filenameTensorName = f.string(); break;
      case 2: s.saveTensorName = f.string(); break;
      case 3: s.restoreOpName = f.string(); break;
      case 4: s.maxToKeep = f.int32(); break;
      case 5: s.sharded = f.bool(); break;
      case 6: s.keepCheckpointEveryNHours = f.float(); break;
      case 7: s.version = f.int32(); break;
      default: return false;
    }
  });
  return s;
}

/** meta_graph.proto AssetFileDef { TensorInfo tensor_info = 1; string filename = 2; } → filename. */
export function decodeAssetFileName(bytes: Uint8Array, ctx: WireContext): string {
  let name = '';
  forEachField(bytes, ctx, (f) => {
    if (f.number !== 2) return false;
    name = f.string();
  });
  return name;
}

/** ObjectReference { int32 node_id = 1; string local_name = 2; } */
export function decodeObjectReference(bytes: Uint8Array, ctx: WireContext): ObjectReference {
  let nodeId = 0;
  let localName = '';
  forEachField(bytes, ctx, (f) => {
    if (f.number === 1) nodeId = f.int32();
    else if (f.number === 2) localName = f.string();
    else return false;
  });
  return { nodeId, localName };
}

/** SavedVariable; `experimental_distributed_variable_components` (8) is skipped (recursive, not needed). */
function decodeSavedVariable(bytes: Uint8Array, ctx: WireContext): SavedVariableInfo {
  let tfDtype = 0;
  let shape: ShapeSpec = [];
  let trainable = false;
  let synchronization = 0;
  let aggregation = 0;
  let name = '';
  let device = '';
  forEachField(bytes, ctx, (f) => {
    switch (f.number) {
      case 1: tfDtype = f.int32(); break;
      case 2: shape = decodeShape(...sub(ctx, 'shape', f.message())); break;
      case 3: trainable = f.bool(); break;
      case 4: synchronization = f.int32(); break;
      case 5: aggregation = f.int32(); break;
      case 6: name = f.string(); break;
      case 7: device = f.string(); break;
      default: return false;
    }
  });
  const dtype = dtypeOrUndefined(tfDtype, ctx.file);
  return { tfDtype, shape, trainable, synchronization, aggregation, name, device, ...(dtype ? { dtype } : {}) };
}

const KIND_BY_FIELD: Record<number, SavedObjectKind> = {
  4: 'user_object', 5: 'asset', 6: 'function', 7: 'variable', 8: 'bare_concrete_function', 9: 'constant', 10: 'resource', 12: 'captured_tensor',
};

/** saved_object_graph.proto SavedObject, keeping children and the kind (variables and user-object identifiers decoded). */
export function decodeSavedObject(bytes: Uint8Array, ctx: WireContext): SavedObjectInfo {
  const children: ObjectReference[] = [];
  let kind: SavedObjectKind = 'none';
  let variable: SavedVariableInfo | undefined;
  let identifier: string | undefined;
  let assetFileDefIndex: number | undefined;
  forEachField(bytes, ctx, (f) => {
    if (f.number === 1) {
      children.push(decodeObjectReference(...sub(ctx, 'children', f.message())));
      return;
    }
    const k = KIND_BY_FIELD[f.number];
    if (!k) return false;
    kind = k; // last oneof member wins, as in protobuf
    variable = undefined;
    identifier = undefined;
    assetFileDefIndex = undefined;
    const m = f.message();
    if (k === 'variable') variable = decodeSavedVariable(...sub(ctx, 'variable', m));
    else if (k === 'user_object') {
      forEachField(...sub(ctx, 'user_object', m), (g) => {
        if (g.number !== 1) return false;
        identifier = g.string();
      });
    } else if (k === 'asset') {
      assetFileDefIndex = 0;
      forEachField(...sub(ctx, 'asset', m), (g) => {
        if (g.number !== 1) return false;
        assetFileDefIndex = g.int32();
      });
    }
  });
  return {
    children, kind,
    ...(variable ? { variable } : {}),
    ...(identifier !== undefined ? { identifier } : {}),
    ...(assetFileDefIndex !== undefined ? { assetFileDefIndex } : {}),
  };
}
