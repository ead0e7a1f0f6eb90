/**
 * Keras 3 `.weights.h5` layout (keras-team/keras `saving/saving_lib.py`, FORMATS.md §6.2):
 * every saveable's own variables at `<path>/vars/<i>`, `i` decimal (ordered as numbers),
 * layers under `layers/<key>`, the optimizer at `optimizer/vars`. `config.json`, when there is
 * one, gives layer classes and, through them, variable names such as kernel/bias.
 */
import { byteLengthOf, type LayerInfo, type TensorInfo } from '@tfweights/core';
import type { H5Reader } from './h5-file.js';
import type { KerasEntry, ParsedLayout } from './legacy-layout.js';
import { configLayers, type ConfigLayer } from './model-config.js';
import { toSnakeCase, variableNames } from './variable-names.js';

interface Owner {
  /** Path of the saveable, '' for the root model. */
  readonly path: string;
  /** Dataset paths of its variables, in index order. */
  readonly keys: string[];
  /** The `name` attribute of its vars group (Keras ≥ 3.6). */
  readonly savedName?: string;
}

/** True for a file with the Keras 3 layout (root `vars`, `layers` or `optimizer` groups). */
export function isKeras3Layout(h5: H5Reader): boolean {
  return ['vars', 'layers', 'optimizer', '_layer_checkpoint_dependencies'].some((g) => h5.kind(g) === 'group');
}

/** Compare two paths ordering decimal segments as numbers (`vars/10` after `vars/9`). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function collectOwners(h5: H5Reader): Owner[] {
  const byPath = new Map<string, string[]>();
  const others: string[] = [];
  for (const p of h5.descendants('/')) {
    if (h5.kind(p) === 'group' && (p === 'vars' || p.endsWith('/vars'))) {
      const owner = p === 'vars' ? '' : p.slice(0, -'/vars'.length);
      if (!byPath.has(owner)) byPath.set(owner, []);
      continue;
    }
    if (h5.kind(p) !== 'dataset') continue;
    const m = /^(?:(.*)\/)?vars\/([^/]+)$/.exec(p);
    if (m) {
      const owner = m[1] ?? '';
      if (!byPath.has(owner)) byPath.set(owner, []);
      byPath.get(owner)!.push(p);
    } else {
      others.push(p);
    }
  }
  const owners: Owner[] = [];
  for (const [path, keys] of byPath) {
    const savedName = h5.stringAttr(path ? `${path}/vars` : 'vars', 'name');
    owners.push({ path, keys: keys.sort(naturalCompare), ...(savedName ? { savedName } : {}) });
  }
  owners.sort((a, b) => naturalCompare(a.path, b.path));
  if (others.length > 0) owners.push({ path: '<other>', keys: others.sort(naturalCompare) });
  return owners;
}

/** The top-level `layers/<key>` (or tf-keras 2.13 `_layer_checkpoint_dependencies/<key>`) an owner belongs to. */
function topLayerKey(path: string): string | undefined {
  const m = /^(layers|_layer_checkpoint_dependencies)\/([^/]+)/.exec(path);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

export function parseKeras3(h5: H5Reader, config?: unknown, extraMetadata: Record<string, unknown> = {}): ParsedLayout {
  const owners = collectOwners(h5);
  const cfgLayers = configLayers(config);
  const ownerByPath = new Map(owners.map((o) => [o.path, o]));

  // Match config layers to `layers/<key>` groups: by the saved `name` attribute, else by the
  // key Keras derives from the class name (snake_case + `_1`, `_2` … per class).
  const keyOfLayer = new Map<ConfigLayer, string>();
  const used = new Set<string>();
  const counters = new Map<string, number>();
  for (const l of cfgLayers) {
    const byName = owners.find((o) => topLayerKey(o.path) === o.path && o.savedName === l.name && !used.has(o.path));
    const base = toSnakeCase(l.className);
    const n = counters.get(base) ?? 0;
    counters.set(base, n + 1);
    const derived = `layers/${n === 0 ? base : `${base}_${n}`}`;
    const key = byName?.path ?? (ownerByPath.has(derived) || h5.kind(derived) === 'group' ? derived : undefined);
    if (key && !used.has(key)) {
      keyOfLayer.set(l, key);
      used.add(key);
    }
  }

  const entries: KerasEntry[] = [];
  const layers: LayerInfo[] = [];
  const done = new Set<string>();
  const push = (key: string, name: string, extra: Partial<TensorInfo>): void => {
    const ds = h5.datasetInfo(key);
    const byteLength = ds.dtype === 'string' ? 0 : byteLengthOf(ds.dtype, ds.shape);
    entries.push({ ds, info: { key, name, dtype: ds.dtype, shape: ds.shape, byteLength, role: 'weight', ...extra } });
    done.add(key);
  };
  const ownersUnder = (top: string): Owner[] => owners.filter((o) => o.path === top || o.path.startsWith(`${top}/`));

  for (const l of cfgLayers) {
    const top = keyOfLayer.get(l);
    const keys: string[] = [];
    if (top) {
      for (const o of ownersUnder(top)) {
        const names = variableNames(l, o.keys.length);
        o.keys.forEach((k, i) => {
          push(k, names ? `${l.name}/${names[i]}` : k, { layer: l.name });
          keys.push(k);
        });
      }
    }
    layers.push({ name: l.name, className: l.className, weights: keys });
  }
  // Without a config (or for what it does not cover): one layer per top-level group.
  const seenTop = new Set<string>();
  for (const o of owners) {
    if (o.keys.every((k) => done.has(k)) && o.keys.length > 0) continue;
    const top = topLayerKey(o.path);
    if (top) {
      if (seenTop.has(top) || used.has(top)) continue;
      seenTop.add(top);
      const layerName = ownerByPath.get(top)?.savedName ?? top.split('/')[1]!;
      const keys: string[] = [];
      for (const sub of ownersUnder(top)) {
        for (const k of sub.keys) {
          if (done.has(k)) continue;
          push(k, k, { layer: layerName });
          keys.push(k);
        }
      }
      layers.push({ name: layerName, weights: keys });
    } else {
      const role = o.path === 'optimizer' || o.path.startsWith('optimizer/') ? 'optimizer' : 'weight';
      for (const k of o.keys) if (!done.has(k)) push(k, k, { role });
    }
  }
  const metadata: Record<string, unknown> = { ...extraMetadata };
  if (config !== undefined) metadata.model_config = config;
  return { format: 'keras3', entries, layers, metadata };
}
