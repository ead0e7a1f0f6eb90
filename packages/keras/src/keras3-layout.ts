/**
 * Keras 3 `.weights.h5` layout (keras-team/keras `saving/saving_lib.py`, FORMATS.md §6.2):
 * every saveable's own variables at `<path>/vars/<i>`, `i` decimal (ordered as numbers),
 * layers under `layers/<key>`, the optimizer at `optimizer/vars`. `config.json`, when there is
 * one, gives layer classes and, through them, variable names such as kernel/bias.
 */
import { byteLengthOf, type TensorInfo } from '@tfweights/core';
import type { H5Reader } from './h5-file.js';
import type { KerasEntry, KerasLayerInfo, ParsedLayout } from './legacy-layout.js';
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

/** Compare two segments, digit runs as numbers (`dense_2` before `dense_10`, `vars/9` before `vars/10`). */
function compareSegment(x: string, y: string): number {
  const cx = x.match(/\d+|\D+/g) ?? [];
  const cy = y.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(cx.length, cy.length); i++) {
    const a = cx[i]!;
    const b = cy[i]!;
    if (a === b) continue;
    const na = /^\d/.test(a);
    const nb = /^\d/.test(b);
    if (na && nb && Number(a) !== Number(b)) return Number(a) - Number(b);
    return a < b ? -1 : 1;
  }
  return cx.length - cy.length;
}

/** Compare two paths segment by segment, digit runs ordered as numbers (`vars/10` after `vars/9`, `dense_10` after `dense_2`). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const c = compareSegment(pa[i]!, pb[i]!);
    if (c !== 0) return c;
    return pa[i]! < pb[i]! ? -1 : 1;
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

const CONTAINERS = ['layers', '_layer_checkpoint_dependencies'];
/** RNN layers whose variables live on `cell`, a `<Class>Cell` (keras/src/layers/rnn). */
const RNN_CELLS: Record<string, string> = { LSTM: 'LSTMCell', GRU: 'GRUCell', SimpleRNN: 'SimpleRNNCell' };
/** Sub-objects Keras creates in this order (attribute assignment order of the wrappers). */
const CHILD_RANK: Record<string, number> = { cell: 0, forward_layer: 1, backward_layer: 2, layer: 3 };

/** A layer of a model config, or a sub-layer (wrapped layer, RNN cell) derived from one. */
type CfgNode = Pick<ConfigLayer, 'name' | 'className' | 'config'>;

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function cfgNode(v: unknown): CfgNode | undefined {
  const rec = asRecord(v);
  const config = asRecord(rec?.config) ?? {};
  if (typeof rec?.class_name !== 'string') return undefined;
  return { className: rec.class_name, config, name: typeof config.name === 'string' ? config.name : toSnakeCase(rec.class_name) };
}

/** Variables a layer class keeps out of `trainable_weights` (BatchNormalization statistics). */
function nonTrainable(cls: string | undefined, variable: string | undefined): boolean {
  if (cls === 'BatchNormalization') return variable === 'moving_mean' || variable === 'moving_variance';
  return false;
}

/** One layer variable in the order Keras's legacy `.h5` stores them. */
interface Planned {
  readonly key: string;
  readonly name: string;
  readonly trainable: boolean;
  readonly varsName?: string;
}

/** What a config says about a saved sub-object: its config and its name. */
interface ChildInfo {
  readonly cfg?: CfgNode;
  readonly name?: string;
}

class Keras3Tree {
  readonly ownerByPath: Map<string, Owner>;
  constructor(readonly owners: readonly Owner[], private readonly h5: H5Reader) {
    this.ownerByPath = new Map(owners.map((o) => [o.path, o]));
  }

  /** The saved sub-objects directly below `path` (a `layers/<key>` item counts as one). */
  children(path: string, under: readonly Owner[]): string[] {
    const kids = new Set<string>();
    for (const o of under) {
      if (!o.path.startsWith(`${path}/`)) continue;
      const segs = o.path.slice(path.length + 1).split('/');
      const rel = CONTAINERS.includes(segs[0]!) && segs.length > 1 ? `${segs[0]}/${segs[1]}` : segs[0]!;
      kids.add(`${path}/${rel}`);
    }
    return [...kids];
  }

  /**
   * Which saved group each config layer of a container has: the group whose vars `name`
   * attribute is the layer's name, else the key Keras derives from the class (snake_case +
   * `_1`, `_2` … per class; saving_lib `_save_container_state`).
   */
  matchContainer(prefix: string, layers: readonly ConfigLayer[], candidates: readonly string[]): Map<ConfigLayer, string> {
    const out = new Map<ConfigLayer, string>();
    const used = new Set<string>();
    const counters = new Map<string, number>();
    const base = prefix ? `${prefix}/` : '';
    const isCandidate = new Set(candidates);
    // Candidates by their vars `name`, in candidate order (looked up per layer: no scan of all).
    const byName = new Map<string, string[]>();
    for (const c of candidates) {
      const n = this.ownerByPath.get(c)?.savedName;
      if (n === undefined) continue;
      const list = byName.get(n);
      if (list) list.push(c);
      else byName.set(n, [c]);
    }
    for (const l of layers) {
      const named = byName.get(l.name)?.find((c) => !used.has(c));
      const snake = toSnakeCase(l.className);
      const n = counters.get(snake) ?? 0;
      counters.set(snake, n + 1);
      const key = n === 0 ? snake : `${snake}_${n}`;
      const derived = CONTAINERS.map((c) => `${base}${c}/${key}`).find((p) => !used.has(p) && (isCandidate.has(p) || this.h5.kind(p) === 'group'));
      const path = named ?? derived;
      if (path) {
        out.set(l, path);
        used.add(path);
      }
    }
    return out;
  }

  /** Config facts for the sub-objects of a saved layer (nested model, wrapper, RNN cell). */
  childInfo(path: string, cfg: CfgNode | undefined, kids: readonly string[]): Map<string, ChildInfo> {
    const out = new Map<string, ChildInfo>();
    if (!cfg) return out;
    const c = cfg.config;
    if (Array.isArray(c.layers)) {
      const matched = this.matchContainer(path, configLayers({ class_name: cfg.className, config: c }), kids);
      for (const [l, p] of matched) out.set(p, { cfg: l, name: l.name });
    }
    if (cfg.className === 'Bidirectional') {
      const fwd = cfgNode(c.layer);
      const bwd = cfgNode(c.backward_layer);
      const strip = (n: string, p: string): string => (n.startsWith(p) ? n.slice(p.length) : n);
      if (fwd) out.set(`${path}/forward_layer`, { cfg: fwd, name: `forward_${strip(fwd.name, 'forward_')}` });
      if (bwd ?? fwd) out.set(`${path}/backward_layer`, { cfg: bwd ?? fwd!, name: bwd ? bwd.name : `backward_${strip(fwd!.name, 'backward_')}` });
    } else if (RNN_CELLS[cfg.className] || cfgNode(c.cell)) {
      const cell: CfgNode = cfgNode(c.cell) ?? { className: RNN_CELLS[cfg.className]!, config: c, name: toSnakeCase(RNN_CELLS[cfg.className]!) };
      out.set(`${path}/cell`, { cfg: cell, name: cell.name });
    } else if (cfgNode(c.layer)) {
      const inner = cfgNode(c.layer)!;
      out.set(`${path}/layer`, { cfg: inner, name: inner.name });
    }
    return out;
  }

  /**
   * A saved layer's variables in Keras's `layer.weights` order (own variables, then
   * sub-layers in creation order: config order, or for wrappers cell, forward_layer,
   * backward_layer, layer), each named by the chain of layer names Keras puts in variable
   * paths; `trainable` from the classes and the configs' `trainable: false`.
   */
  walk(path: string, cfg: CfgNode | undefined, chain: readonly string[], frozen: boolean, top: boolean, under: readonly Owner[], out: Planned[]): void {
    const own = this.ownerByPath.get(path);
    if (own) {
      const names = cfg ? variableNames(cfg, own.keys.length) : undefined;
      own.keys.forEach((key, i) => {
        const v = names?.[i];
        out.push({ key, name: v ? [...chain, v].join('/') : key, trainable: !frozen && !nonTrainable(cfg?.className, v), ...(own.savedName ? { varsName: own.savedName } : {}) });
      });
    }
    const kids = this.children(path, under);
    const info = this.childInfo(path, cfg, kids);
    const known = [...info.keys()].filter((k) => kids.includes(k));
    const rank = (p: string): number => CHILD_RANK[p.slice(path.length + 1)] ?? 9;
    const rest = kids.filter((k) => !info.has(k)).sort((a, b) => rank(a) - rank(b) || naturalCompare(a, b));
    for (const kid of [...known, ...rest]) {
      const ci = info.get(kid);
      const saved = this.ownerByPath.get(kid);
      const name = saved?.savedName ?? ci?.name ?? (saved ? kid.slice(kid.lastIndexOf('/') + 1) : undefined);
      // A top-level RNN layer's cell stays out of names (`lstm/kernel`), as before.
      const skip = (top && kid === `${path}/cell`) || name === undefined;
      this.walk(kid, ci?.cfg, skip ? chain : [...chain, name], frozen || ci?.cfg?.config.trainable === false, false, under, out);
    }
  }
}

export function parseKeras3(h5: H5Reader, config?: unknown, extraMetadata: Record<string, unknown> = {}): ParsedLayout {
  const owners = collectOwners(h5);
  const tree = new Keras3Tree(owners, h5);
  const cfgLayers = configLayers(config);
  const topKeys = [...new Set(owners.map((o) => topLayerKey(o.path)).filter((k): k is string => k !== undefined))];
  const keyOfLayer = tree.matchContainer('', cfgLayers, topKeys);
  const used = new Set(keyOfLayer.values());

  const entries: KerasEntry[] = [];
  const layers: KerasLayerInfo[] = [];
  const done = new Set<string>();
  const push = (key: string, name: string, extra: Partial<TensorInfo>): void => {
    const ds = h5.datasetInfo(key);
    const byteLength = ds.dtype === 'string' ? 0 : byteLengthOf(ds.dtype, ds.shape);
    entries.push({ ds, info: { key, name, dtype: ds.dtype, shape: ds.shape, byteLength, role: 'weight', ...extra } });
    done.add(key);
  };
  // Owners by top-level layer, grouped once (a filter per layer is quadratic in the layer count).
  const byTop = new Map<string, Owner[]>();
  for (const o of owners) {
    const top = topLayerKey(o.path);
    if (top === undefined) continue;
    const list = byTop.get(top);
    if (list) list.push(o);
    else byTop.set(top, [o]);
  }
  const ownersUnder = (top: string): Owner[] => byTop.get(top) ?? [];
  const addLayer = (name: string, className: string | undefined, top: string, cfg: CfgNode | undefined): void => {
    const planned: Planned[] = [];
    tree.walk(top, cfg, [name], cfg?.config.trainable === false, true, ownersUnder(top), planned);
    // Legacy order (keras legacy_h5_format `_legacy_weights`): trainable, then non-trainable.
    const ordered = [...planned.filter((p) => p.trainable), ...planned.filter((p) => !p.trainable)];
    const keys: string[] = [];
    for (const p of ordered) {
      if (done.has(p.key)) continue;
      push(p.key, p.name, { layer: name, attrs: { layerKey: top, ...(p.varsName ? { varsName: p.varsName } : {}) } });
      keys.push(p.key);
    }
    layers.push({ name, ...(className ? { className } : {}), weights: keys, key: top });
  };

  for (const l of cfgLayers) {
    const top = keyOfLayer.get(l);
    if (top) addLayer(l.name, l.className, top, l);
    else layers.push({ name: l.name, className: l.className, weights: [] });
  }
  // Without a config (or for what it does not cover): one layer per top-level group, in key order.
  for (const top of topKeys.sort(naturalCompare)) {
    if (used.has(top) || ownersUnder(top).every((o) => o.keys.every((k) => done.has(k)) && o.keys.length > 0)) continue;
    addLayer(tree.ownerByPath.get(top)?.savedName ?? top.split('/')[1]!, undefined, top, undefined);
  }
  for (const o of owners) {
    if (topLayerKey(o.path)) continue;
    const role = o.path === 'optimizer' || o.path.startsWith('optimizer/') ? 'optimizer' : 'weight';
    for (const k of o.keys) if (!done.has(k)) push(k, k, { role });
  }
  const metadata: Record<string, unknown> = { ...extraMetadata };
  if (config !== undefined) metadata.model_config = config;
  // Model order needs a config; without one, layers come in group-key order (dense, dense_1 … conv1d).
  metadata.layer_order = cfgLayers.length > 0 ? 'config' : 'keys';
  return { format: 'keras3', entries, layers, metadata };
}
