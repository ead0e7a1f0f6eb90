/**
 * TrackableObjectGraph (tensorflow/core/protobuf/trackable_object_graph.proto; FORMATS.md §3.2).
 *
 * Decoding remembers the order in which fields appeared (`fieldOrder`) and keeps unknown
 * fields as raw bytes, so that encode(decode(b)) reproduces b exactly even when the writer
 * emitted fields in descending order (TF 2.14's upb does) or used fields newer than ours.
 * Objects built by hand have no `fieldOrder` and encode in ascending order, as TF's C++ does.
 */
import { newWriter, Reader, decoding, type Where } from './proto-wire.js';

/** Fields of a message this codec does not know, as raw tag+value bytes. */
export interface UnknownField {
  readonly field: number;
  readonly raw: Uint8Array;
}

/** Order-preservation data carried by decoded messages (absent on hand-built ones). */
export interface WireOrder {
  /** Field numbers in the order they were read (one per occurrence). */
  fieldOrder?: number[];
  unknownFields?: UnknownField[];
}

export interface ObjectReference extends WireOrder {
  nodeId: number;
  localName: string;
}

export interface SerializedTensor extends WireOrder {
  /** Attribute name, e.g. `VARIABLE_VALUE`. */
  name: string;
  /** TF variable name without `:0`, e.g. `dense/kernel`; `''` when none. */
  fullName: string;
  /** The bundle key holding the value. */
  checkpointKey: string;
  optionalRestore?: boolean;
}

export interface SlotVariableReference extends WireOrder {
  originalVariableNodeId: number;
  slotName: string;
  slotVariableNodeId: number;
}

export interface RegisteredSaver extends WireOrder {
  name: string;
  objectName: string;
}

export interface TrackableObject extends WireOrder {
  children: ObjectReference[];
  attributes: SerializedTensor[];
  slotVariables: SlotVariableReference[];
  registeredSaver?: RegisteredSaver;
  /** google.protobuf.BoolValue: undefined = absent (older TF). */
  hasCheckpointValues?: boolean;
}

export interface TrackableObjectGraph extends WireOrder {
  nodes: TrackableObject[];
}

// ---------- decoding ----------

type FieldHandler = (r: Reader, field: number, wire: number) => boolean;

/** Loop over fields until `end`, recording their order and keeping unknown ones raw. */
function readFields(r: Reader, end: number, target: WireOrder, handle: FieldHandler): void {
  const order: number[] = [];
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new Error(`field number 0 at byte ${start}`);
    order.push(field);
    if (!handle(r, field, wire)) {
      r.skipType(wire);
      (target.unknownFields ??= []).push({ field, raw: r.buf.slice(start, r.pos) });
    }
  }
  if (r.pos !== end) throw new Error('nested message overruns its length');
  target.fieldOrder = order;
}

/** End position of a length-delimited sub-message, checked against the buffer. */
function sub(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new Error(`length ${len} at byte ${r.pos} runs past the end`);
  return end;
}

function decodeRef(r: Reader, end: number): ObjectReference {
  const m: ObjectReference = { nodeId: 0, localName: '' };
  readFields(r, end, m, (r, f, w) => {
    if (f === 1 && w === 0) m.nodeId = r.int32();
    else if (f === 2 && w === 2) m.localName = r.string();
    else return false;
    return true;
  });
  return m;
}

function decodeTensor(r: Reader, end: number): SerializedTensor {
  const m: SerializedTensor = { name: '', fullName: '', checkpointKey: '' };
  readFields(r, end, m, (r, f, w) => {
    if (f === 1 && w === 2) m.name = r.string();
    else if (f === 2 && w === 2) m.fullName = r.string();
    else if (f === 3 && w === 2) m.checkpointKey = r.string();
    else if (f === 4 && w === 0) m.optionalRestore = r.bool();
    else return false;
    return true;
  });
  return m;
}

function decodeSlot(r: Reader, end: number): SlotVariableReference {
  const m: SlotVariableReference = { originalVariableNodeId: 0, slotName: '', slotVariableNodeId: 0 };
  readFields(r, end, m, (r, f, w) => {
    if (f === 1 && w === 0) m.originalVariableNodeId = r.int32();
    else if (f === 2 && w === 2) m.slotName = r.string();
    else if (f === 3 && w === 0) m.slotVariableNodeId = r.int32();
    else return false;
    return true;
  });
  return m;
}

function decodeSaver(r: Reader, end: number): RegisteredSaver {
  const m: RegisteredSaver = { name: '', objectName: '' };
  readFields(r, end, m, (r, f, w) => {
    if (f === 1 && w === 2) m.name = r.string();
    else if (f === 2 && w === 2) m.objectName = r.string();
    else return false;
    return true;
  });
  return m;
}

function decodeObject(r: Reader, end: number): TrackableObject {
  const m: TrackableObject = { children: [], attributes: [], slotVariables: [] };
  readFields(r, end, m, (r, f, w) => {
    if (w !== 2 || f < 1 || f > 5) return false;
    const e = sub(r);
    if (f === 1) m.children.push(decodeRef(r, e));
    else if (f === 2) m.attributes.push(decodeTensor(r, e));
    else if (f === 3) m.slotVariables.push(decodeSlot(r, e));
    else if (f === 4) m.registeredSaver = decodeSaver(r, e);
    else {
      // BoolValue { bool value = 1 }: only the canonical forms are understood; others stay raw.
      const body = r.buf.subarray(r.pos, e);
      if (body.length === 0) m.hasCheckpointValues = false;
      else if (body.length === 2 && body[0] === 0x08 && body[1] === 0x01) m.hasCheckpointValues = true;
      else {
        // Rewind to the length so readFields skips and keeps the whole field raw.
        r.pos = e - body.length - lengthOfVarint(body.length);
        return false;
      }
      r.pos = e;
    }
    return true;
  });
  return m;
}

function lengthOfVarint(n: number): number {
  let k = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    k++;
  }
  return k;
}

/** Decode a serialised TrackableObjectGraph (the `_CHECKPOINTABLE_OBJECT_GRAPH` string). */
export function decodeTrackableObjectGraph(bytes: Uint8Array, where: Where = { file: '<memory>', entry: '_CHECKPOINTABLE_OBJECT_GRAPH' }): TrackableObjectGraph {
  return decoding('TrackableObjectGraph', where, () => {
    const r = Reader.create(bytes);
    const g: TrackableObjectGraph = { nodes: [] };
    readFields(r, r.len, g, (r, f, w) => {
      if (f !== 1 || w !== 2) return false;
      g.nodes.push(decodeObject(r, sub(r)));
      return true;
    });
    return g;
  });
}

// ---------- encoding ----------

/** One encoded field (tag + value) waiting to be placed. */
type Rec = [field: number, bytes: Uint8Array];

function varintField(field: number, v: number): Rec {
  return [field, newWriter().uint32(field << 3).int32(v).finish()];
}
function stringField(field: number, v: string): Rec {
  return [field, newWriter().uint32((field << 3) | 2).string(v).finish()];
}
function messageField(field: number, body: Uint8Array): Rec {
  return [field, newWriter().uint32((field << 3) | 2).bytes(body).finish()];
}

/**
 * Concatenate records: first in the decoded `fieldOrder` (each occurrence takes the next
 * record of that field), then anything left in ascending field order.
 */
function assemble(m: WireOrder, recs: Rec[]): Uint8Array {
  for (const u of m.unknownFields ?? []) recs.push([u.field, u.raw]);
  const queues = new Map<number, Uint8Array[]>();
  for (const [f, b] of recs) {
    const q = queues.get(f);
    if (q) q.push(b);
    else queues.set(f, [b]);
  }
  const parts: Uint8Array[] = [];
  for (const f of m.fieldOrder ?? []) {
    const b = queues.get(f)?.shift();
    if (b) parts.push(b);
  }
  for (const f of [...queues.keys()].sort((a, b) => a - b)) parts.push(...queues.get(f)!);
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encodeRef(m: ObjectReference): Uint8Array {
  const recs: Rec[] = [];
  if (m.nodeId !== 0) recs.push(varintField(1, m.nodeId));
  if (m.localName !== '') recs.push(stringField(2, m.localName));
  return assemble(m, recs);
}

function encodeTensor(m: SerializedTensor): Uint8Array {
  const recs: Rec[] = [];
  if (m.name !== '') recs.push(stringField(1, m.name));
  if (m.fullName !== '') recs.push(stringField(2, m.fullName));
  if (m.checkpointKey !== '') recs.push(stringField(3, m.checkpointKey));
  if (m.optionalRestore) recs.push(varintField(4, 1));
  return assemble(m, recs);
}

function encodeSlot(m: SlotVariableReference): Uint8Array {
  const recs: Rec[] = [];
  if (m.originalVariableNodeId !== 0) recs.push(varintField(1, m.originalVariableNodeId));
  if (m.slotName !== '') recs.push(stringField(2, m.slotName));
  if (m.slotVariableNodeId !== 0) recs.push(varintField(3, m.slotVariableNodeId));
  return assemble(m, recs);
}

function encodeSaver(m: RegisteredSaver): Uint8Array {
  const recs: Rec[] = [];
  if (m.name !== '') recs.push(stringField(1, m.name));
  if (m.objectName !== '') recs.push(stringField(2, m.objectName));
  return assemble(m, recs);
}

function encodeObject(m: TrackableObject): Uint8Array {
  const recs: Rec[] = [];
  for (const c of m.children) recs.push(messageField(1, encodeRef(c)));
  for (const a of m.attributes) recs.push(messageField(2, encodeTensor(a)));
  for (const s of m.slotVariables) recs.push(messageField(3, encodeSlot(s)));
  if (m.registeredSaver) recs.push(messageField(4, encodeSaver(m.registeredSaver)));
  if (m.hasCheckpointValues !== undefined) recs.push(messageField(5, m.hasCheckpointValues ? Uint8Array.of(0x08, 0x01) : new Uint8Array(0)));
  return assemble(m, recs);
}

/** Serialise a TrackableObjectGraph; a decoded graph re-encodes to its original bytes. */
export function encodeTrackableObjectGraph(graph: TrackableObjectGraph): Uint8Array {
  return assemble(graph, graph.nodes.map((n) => messageField(1, encodeObject(n))));
}
