/**
 * Readable names and roles for bundle keys. TF2 object keys are unescaped per
 * tensorflow/python/trackable/trackable_utils.py (escape_local_name: `.` → `..`, `/` → `.S`);
 * FORMATS.md §3.3–§3.4. TF1 optimizer slot names follow tf.compat.v1.train optimizers.
 */
import type { TensorRole } from '@tfweights/core';

export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';
export const ATTRIBUTES = '.ATTRIBUTES';
export const OPTIMIZER_SLOT = '.OPTIMIZER_SLOT';
export const VARIABLE_VALUE = 'VARIABLE_VALUE';

/** Escape one local name for use in a key (`.` → `..`, `/` → `.S`). */
export function escapeLocalName(name: string): string {
  return name.replace(/\./g, '..').replace(/\//g, '.S');
}

/** Undo {@link escapeLocalName} on one key segment. */
export function unescapeLocalName(segment: string): string {
  return segment.replace(/\.(.)/g, (_, c: string) => (c === '.' ? '.' : c === 'S' ? '/' : `.${c}`));
}

/** A key segment that is a keyword (`.ATTRIBUTES`, `.OPTIMIZER_SLOT`), not an escaped name. */
function isKeyword(segment: string): boolean {
  return segment.startsWith('.') && !segment.startsWith('..') && !segment.startsWith('.S');
}

/** What a TF2 object-based key says about itself. */
export interface ParsedObjectKey {
  /** Unescaped path of the object holding the attribute. */
  objectPath: string[];
  /** Attribute name, e.g. VARIABLE_VALUE. */
  attribute: string;
  /** For slot variables: the optimizer's path and the slot name. */
  slot?: { variablePath: string[]; optimizerPath: string[]; slotName: string };
}

/** Parse `a/b/.ATTRIBUTES/X` or `v/.OPTIMIZER_SLOT/opt/slot/.ATTRIBUTES/X`; undefined for TF1 keys. */
export function parseObjectKey(key: string): ParsedObjectKey | undefined {
  const segs = key.split('/');
  const at = segs.indexOf(ATTRIBUTES);
  if (at < 0 || at !== segs.length - 2) return undefined;
  const attribute = unescapeLocalName(segs[at + 1]!);
  const path = segs.slice(0, at);
  const slotAt = path.indexOf(OPTIMIZER_SLOT);
  if (slotAt >= 0) {
    const variablePath = path.slice(0, slotAt).map(unescapeLocalName);
    const rest = path.slice(slotAt + 1).map(unescapeLocalName);
    if (rest.length < 2 || variablePath.length === 0) return undefined;
    const slotName = rest[rest.length - 1]!;
    const optimizerPath = rest.slice(0, -1);
    return { objectPath: [...optimizerPath, ...variablePath, slotName], attribute, slot: { variablePath, optimizerPath, slotName } };
  }
  if (path.some(isKeyword)) return undefined;
  return { objectPath: path.map(unescapeLocalName), attribute };
}

/** TF1 slot suffixes of tf.compat.v1.train optimizers (`dense/kernel/Adam_1`, `.../Momentum`). */
const TF1_SLOT = /\/(Adam|Adam_1|Momentum|momentum|RMSProp|RMSProp_1|Adagrad|Adadelta|Adadelta_1|Ftrl|Ftrl_1|AdamW|AdamW_1|Nadam|Nadam_1)$/;
const TF1_OPTIMIZER_STATE = /^(beta1_power|beta2_power)(_\d+)?$/;
const BOOKKEEPING = /^(global_step|save_counter)$/;

/** Role of a TF1 (name-based) key. */
export function roleOfTf1Key(key: string): TensorRole {
  if (key === OBJECT_GRAPH_KEY) return 'metadata';
  if (BOOKKEEPING.test(key)) return 'bookkeeping';
  if (TF1_OPTIMIZER_STATE.test(key) || TF1_SLOT.test(key)) return 'optimizer';
  return 'weight';
}
