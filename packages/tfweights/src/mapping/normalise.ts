/**
 * Readable names across formats. Each reader gives a `name`; these rules remove what is only
 * container syntax so names from different formats compare equal:
 * `dense/kernel:0` (Keras 2 / TF variable names), `dense/kernel/.ATTRIBUTES/VARIABLE_VALUE`
 * (TF2 checkpoint keys, FORMATS.md §3.3); `x/.ATTRIBUTES/table-keys` becomes `x/table-keys`.
 */
import { byteLengthOf, dtypeInfo, type TensorInfo } from '@tfweights/core';

const ATTRIBUTE_SUFFIX = /\/\.ATTRIBUTES\/([^/]+)$/;
const OUTPUT_INDEX_SUFFIX = /:\d+$/;

/**
 * The readable form of a name: no leading `/`, no `:0`, no `/.ATTRIBUTES/VARIABLE_VALUE`; any
 * other attribute keeps its name (`table/.ATTRIBUTES/table-keys` → `table/table-keys`, as the
 * checkpoint reader names it), so the keys and values of a lookup table stay distinct.
 */
export function normaliseName(name: string): string {
  let n = name.replace(/^\/+/, '');
  n = n.replace(ATTRIBUTE_SUFFIX, (_, attr: string) => (attr === 'VARIABLE_VALUE' ? '' : `/${attr}`));
  n = n.replace(OUTPUT_INDEX_SUFFIX, '');
  return n;
}

/** The readable name the CLI shows and writes for a tensor (the reader's name, normalised). */
export function readableName(info: Pick<TensorInfo, 'key' | 'name'>): string {
  return normaliseName(info.name || info.key);
}

/**
 * A looser form used only to pair tensors across formats: also drops a leading
 * `model_weights/` (Keras `model.save`), collapses a repeated first segment (legacy HDF5
 * `dense/dense/kernel`; a lone variable `a` stored as `a/a`) and compares case-insensitively.
 */
export function matchForm(name: string): string {
  let n = normaliseName(name).replace(/^model_weights\//, '');
  const parts = n.split('/');
  // `a/a` too: Keras stores a lone variable `a` as layer `a`, weight `a`.
  if (parts.length >= 2 && parts[0] === parts[1]) parts.splice(1, 1);
  n = parts.join('/');
  return n.toLowerCase();
}

/**
 * Every loose form a tensor may be known by across formats: its readable name and, where the
 * format records one, the TF variable name (`attrs.full_name` of TF2 checkpoints).
 */
export function matchForms(info: Pick<TensorInfo, 'key' | 'name' | 'attrs'>): string[] {
  const forms = [matchForm(readableName(info))];
  const full = info.attrs?.full_name;
  if (typeof full === 'string' && full !== '') forms.push(matchForm(full));
  return [...new Set(forms)];
}

/**
 * Bytes of a tensor's data: the reader's `byteLength`, or (when a reader reports 0 for a
 * non-empty fixed-size tensor) what its dtype and shape take.
 */
export function byteCountOf(info: Pick<TensorInfo, 'dtype' | 'shape' | 'byteLength'>): number {
  if (info.byteLength > 0) return info.byteLength;
  try {
    return dtypeInfo(info.dtype).itemSize > 0 ? byteLengthOf(info.dtype, info.shape) : 0;
  } catch {
    return 0;
  }
}
