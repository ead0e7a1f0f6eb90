/**
 * Streaming Keras writers: the HDF5 file is created first, each tensor's dataset is created
 * and filled when the tensor arrives (in bounded slabs, see {@link H5Writer.dataset}), and only
 * names, paths and counts are kept; the name lists and other attributes are written by
 * finish(), which closes the file. So a writer never holds more than the tensor being written.
 *
 * Where each tensor goes comes from an up-front {@link KerasLayout} when given (order of the
 * name lists = layout order, whatever order tensors arrive in), else from the tensors
 * themselves as {@link groupTensorsByLayer} groups them (first-seen layer order, arrival order
 * inside a layer).
 */
import { InvalidArgumentError, type ChunkedTensor, type Tensor } from '@tfweights/core';

/** A tensor whole or in chunks; chunked ones make the write asynchronous. */
type AnyTensor = Tensor | ChunkedTensor;
import type { H5Api } from './h5-api.js';
import { H5Writer } from './h5-write.js';
import { stripOutputIndex } from './legacy-layout.js';
import { toSnakeCase } from './variable-names.js';
import type { KerasLayout } from './write-layout.js';
import { placeOfTensor } from './writer-input.js';

export interface LegacyH5Options {
  /** `keras_version` attribute (default `2.13.1`; tf-keras assumes Keras 1 when it is missing). */
  kerasVersion?: string;
  /** `backend` attribute (default `tensorflow`). */
  backend?: string;
  /**
   * Model config (object or JSON text). When given, the file gets the `model.save` layout:
   * root `model_config`, weights under `model_weights`, optimizer under `optimizer_weights`.
   */
  modelConfig?: unknown;
  /** `training_config` (object or JSON text), only with modelConfig. */
  trainingConfig?: unknown;
}

export interface Keras3WeightsOptions {
  /** `name` attribute of the root `/vars` group (default `sequential`). */
  modelName?: string;
  /** `name` attribute of `optimizer/vars` (default `adam`). */
  optimizerName?: string;
}

/** Options shared by the streaming writers. */
export interface StreamOptions {
  /** Where every tensor goes, known before the first one (see {@link KerasLayout}). */
  layout?: KerasLayout;
  /** Layer name → class name, for layers the layout does not give a class (or without a layout). */
  classes?: Readonly<Record<string, string>>;
}

interface WeightSlot {
  readonly name: string;
  readonly path?: string;
  written: boolean;
}

interface LayerSlot {
  readonly name: string;
  readonly className?: string;
  /** Keras 3 group (set when the layer's first tensor arrives, or from the layout). */
  group?: string;
  readonly weights: WeightSlot[];
  /** Legacy names already used in this layer. */
  readonly names: Set<string>;
  created: boolean;
}

/** tf-keras names: `<layer>/<weight>:0` (hdf5_format.py `save_weights_to_hdf5_group` uses `w.name`). */
export function legacyWeightName(layer: string, weight: string): string {
  const bare = stripOutputIndex(weight);
  return `${bare.startsWith(`${layer}/`) ? bare : `${layer}/${bare}`}:0`;
}

function jsonText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function checkLayerName(name: string): void {
  if (!name || name.includes('/')) throw new InvalidArgumentError(`invalid layer name '${name}' (empty or containing '/')`);
}

/** Keras 3 stores bfloat16 as opaque 2-byte data (saving_lib.py H5Entry). */
const KERAS3 = { bfloat16: 'opaque' } as const;

/** RNN layers keep their variables on the cell (`layers/<key>/cell/vars`). */
const CELL_LAYERS = new Set(['LSTM', 'GRU', 'SimpleRNN']);

/** The group a tensor read from a Keras 3 file came from (attrs `layerKey` set by our reader). */
export function sourceGroup(t: Pick<Tensor, 'key' | 'attrs'>): string | undefined {
  const k = t.attrs?.layerKey;
  return typeof k === 'string' && t.key.startsWith(`${k}/`) ? k : undefined;
}

export function checkGroupPath(p: string, what: string): void {
  if (!/^[^/]+(\/[^/]+)*$/.test(p) || p.split('/').some((s) => s === '.' || s === '..')) {
    throw new InvalidArgumentError(`invalid ${what} '${p}' (a relative HDF5 path without empty, '.' or '..' segments)`);
  }
}

export function checkVariablePath(p: string, layer: string, weight: string): void {
  checkGroupPath(p, `variable path of '${layer}/${weight}'`);
  if (!/(^|\/)vars\/\d+$/.test(p)) throw new InvalidArgumentError(`variable path '${p}' of '${layer}/${weight}' does not end in vars/<index>`);
}

/** Keras's derived group keys: snake_case(class) plus `_1`, `_2` … per class (saving_lib `_walk_saveable`). */
class GroupKeys {
  private readonly counters = new Map<string, number>();
  constructor(readonly used: Set<string>) {}
  derive(name: string, className: string | undefined): string {
    let key: string;
    if (className) {
      const base = toSnakeCase(className);
      const n = this.counters.get(base) ?? 0;
      this.counters.set(base, n + 1);
      key = `layers/${n === 0 ? base : `${base}_${n}`}`;
    } else {
      key = `layers/${name}`;
    }
    while (this.used.has(key)) key = `${key}_`;
    this.used.add(key);
    return key;
  }
}

/**
 * The full group path of each layer: `fixed[i]` when given (checked, no two alike), else
 * derived from the class in layer order, never one already taken.
 */
export function layerGroupsOf(layers: readonly { name: string; className?: string }[], fixed: readonly (string | undefined)[]): string[] {
  const used = new Set<string>();
  for (const [i, g] of fixed.entries()) {
    if (g === undefined) continue;
    if (used.has(g)) throw new InvalidArgumentError(`two layers would both be written to group '${g}'`, { entry: layers[i]!.name });
    used.add(g);
  }
  const keys = new GroupKeys(used);
  return layers.map((l, i) => fixed[i] ?? keys.derive(l.name, l.className));
}

/** Layers, weights and the tensor → slot lookup shared by both layouts. */
abstract class KerasStream {
  protected readonly layers: LayerSlot[] = [];
  private readonly byName = new Map<string, number>();
  protected readonly optimizer: WeightSlot[] = [];
  private readonly slots = new Map<string, { layer: number; weight: number }>();
  private done = false;

  protected constructor(readonly h5: H5Writer, protected readonly opts: StreamOptions) {
    const layout = opts.layout;
    if (!layout) return;
    for (const l of layout.layers) {
      checkLayerName(l.name);
      const className = l.className ?? opts.classes?.[l.name];
      const i = this.addLayer(l.name, className);
      const layer = this.layers[i]!;
      l.weights.forEach((w, j) => {
        layer.weights.push({ name: w.name, ...(w.path !== undefined ? { path: w.path } : {}), written: false });
        const id = w.tensor ?? (w.name.startsWith(`${l.name}/`) ? w.name : `${l.name}/${w.name}`);
        this.addSlot(id, i, j);
      });
    }
    (layout.optimizer ?? []).forEach((w, j) => {
      this.optimizer.push({ name: w.name, written: false });
      this.addSlot(w.tensor ?? w.name, -1, j);
    });
  }

  private addSlot(id: string, layer: number, weight: number): void {
    if (this.slots.has(id)) throw new InvalidArgumentError(`the layout names tensor '${id}' twice`);
    this.slots.set(id, { layer, weight });
  }

  private addLayer(name: string, className: string | undefined): number {
    if (this.byName.has(name)) throw new InvalidArgumentError(`layer name '${name}' appears twice`);
    this.byName.set(name, this.layers.length);
    this.layers.push({ name, ...(className !== undefined ? { className } : {}), weights: [], names: new Set(), created: false });
    return this.layers.length - 1;
  }

  /**
   * Write one tensor: placed by the layout (by key, then name), else by its layer and name.
   * Returns a promise for a chunked tensor (await it before the next write).
   */
  write(tensor: AnyTensor): void | Promise<void> {
    this.checkOpen();
    if (this.opts.layout) {
      const slot = this.slots.get(tensor.key) ?? this.slots.get(tensor.name) ??
        (tensor.role === 'optimizer' ? this.slots.get(tensor.name.replace(/^optimizer\//, '')) : undefined);
      if (!slot) throw new InvalidArgumentError(`tensor '${tensor.name}' is not in the writer's layout`, { entry: tensor.key });
      return this.writeSlot(slot.layer, slot.weight, tensor);
    }
    const place = placeOfTensor(tensor);
    if (place.optimizer) {
      this.optimizer.push({ name: place.name, written: false });
      return this.writeSlot(-1, this.optimizer.length - 1, tensor);
    }
    checkLayerName(place.layer);
    const i = this.byName.get(place.layer) ?? this.addLayer(place.layer, this.opts.classes?.[place.layer]);
    this.layers[i]!.weights.push({ name: place.weight, written: false });
    return this.writeSlot(i, this.layers[i]!.weights.length - 1, tensor);
  }

  /** Write the tensor of layer `layer` (-1: the optimizer), weight `weight`. */
  writeSlot(layer: number, weight: number, tensor: AnyTensor): void | Promise<void> {
    this.checkOpen();
    const slot = layer < 0 ? this.optimizer[weight] : this.layers[layer]?.weights[weight];
    if (!slot) throw new InvalidArgumentError(`no place for tensor '${tensor.name}'`, { entry: tensor.key });
    if (slot.written) throw new InvalidArgumentError(`tensor '${tensor.name}' written twice`, { entry: tensor.key });
    slot.written = true;
    return layer < 0 ? this.writeOptimizer(weight, tensor) : this.writeWeight(this.layers[layer]!, weight, tensor);
  }

  protected abstract writeWeight(layer: LayerSlot, index: number, tensor: AnyTensor): void | Promise<void>;
  protected abstract writeOptimizer(index: number, tensor: AnyTensor): void | Promise<void>;
  protected abstract writeAttributes(): void;

  /** Layer names and classes in file order (for a default `.keras` config). */
  layerList(): { name: string; className?: string }[] {
    return this.layers.map((l) => ({ name: l.name, ...(l.className !== undefined ? { className: l.className } : {}) }));
  }

  private checkOpen(): void {
    if (this.done) throw new InvalidArgumentError('write after finish or abort', { file: this.h5.name });
  }

  /** Check everything in the layout arrived, write the name lists and attributes, close. */
  finishFile(): void {
    this.checkOpen();
    this.done = true;
    try {
      const missing = [...this.layers.flatMap((l) => l.weights.filter((w) => !w.written).map((w) => `${l.name}/${w.name}`)),
        ...this.optimizer.filter((w) => !w.written).map((w) => `optimizer/${w.name}`)];
      if (missing.length > 0) {
        throw new InvalidArgumentError(`${missing.length} tensor(s) of the layout were never written: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}`, { file: this.h5.name });
      }
      this.writeAttributes();
    } catch (err) {
      this.closeQuietly();
      throw err;
    }
    try {
      this.h5.close();
    } catch (err) {
      // A full disk fails the final flush: report it, never a finished file.
      this.closeQuietly();
      throw err;
    }
  }

  /** Close the file without finishing it (the caller removes it). */
  abortFile(): void {
    if (this.done) return;
    this.done = true;
    this.closeQuietly();
  }

  private closeQuietly(): void {
    // Already failing: the half-written file is removed by the caller.
    this.h5.abandon();
  }
}

/**
 * A legacy `.h5` written as tensors arrive: datasets at `<layer>/<layer>/<weight>:0` (under
 * `model_weights` with a model config), name lists on finish.
 */
export class LegacyH5Stream extends KerasStream {
  private readonly root: string;
  private constructor(h5: H5Writer, private readonly legacy: LegacyH5Options, opts: StreamOptions) {
    super(h5, opts);
    this.root = legacy.modelConfig !== undefined ? 'model_weights' : '';
    if (this.root) {
      h5.vlenString('/', 'backend', legacy.backend ?? 'tensorflow');
      h5.vlenString('/', 'keras_version', legacy.kerasVersion ?? '2.13.1');
      h5.vlenString('/', 'model_config', jsonText(legacy.modelConfig));
      if (legacy.trainingConfig !== undefined) h5.vlenString('/', 'training_config', jsonText(legacy.trainingConfig));
      h5.group(this.root);
    }
  }

  /** Create the file at `path` (a path h5wasm can reach); `name` is used in errors. */
  static create(api: H5Api, path: string, opts: LegacyH5Options & StreamOptions = {}, name = path): LegacyH5Stream {
    const h5 = H5Writer.create(api, path, name);
    try {
      return new LegacyH5Stream(h5, opts, opts);
    } catch (err) {
      h5.file.close();
      throw err;
    }
  }

  private at(p: string): string {
    return this.root ? `${this.root}/${p}` : p;
  }

  private nameOf(layer: LayerSlot, w: WeightSlot): string {
    return legacyWeightName(layer.name, w.name);
  }

  protected writeWeight(layer: LayerSlot, index: number, tensor: AnyTensor): void | Promise<void> {
    const name = this.nameOf(layer, layer.weights[index]!);
    if (layer.names.has(name)) throw new InvalidArgumentError(`layer '${layer.name}' has two weights with the same name`, { entry: tensor.key });
    layer.names.add(name);
    layer.created = true;
    return this.h5.dataset(this.at(`${layer.name}/${name}`), tensor);
  }

  private optimizerNames(): string[] {
    return this.optimizer.map((x) => (/:\d+$/.test(x.name) ? x.name : `${x.name}:0`));
  }

  protected writeOptimizer(index: number, tensor: AnyTensor): void | Promise<void> {
    // A weights-only file has no place for optimizer state (tf-keras save_weights writes none).
    if (!this.root) return;
    return this.h5.dataset(`optimizer_weights/${this.optimizerNames()[index]!}`, tensor);
  }

  protected writeAttributes(): void {
    const h5 = this.h5;
    const top = this.root || '/';
    h5.nameList(top, 'layer_names', this.layers.map((l) => l.name));
    h5.vlenString(top, 'backend', this.legacy.backend ?? 'tensorflow');
    h5.vlenString(top, 'keras_version', this.legacy.kerasVersion ?? '2.13.1');
    for (const layer of this.layers) {
      h5.group(this.at(layer.name));
      const names = layer.weights.map((w) => this.nameOf(layer, w));
      if (new Set(names).size !== names.length) throw new InvalidArgumentError(`layer '${layer.name}' has two weights with the same name`);
      h5.nameList(this.at(layer.name), 'weight_names', names);
    }
    if (this.root && this.optimizer.length > 0) {
      h5.group('optimizer_weights');
      h5.nameList('optimizer_weights', 'weight_names', this.optimizerNames());
    }
  }

  /** Finish and close; returns the fixed-length string attributes written (to be made NULLPAD). */
  finish(): string[] {
    this.finishFile();
    return this.h5.fixedStringAttrs;
  }

  abort(): void {
    this.abortFile();
  }
}

/**
 * A Keras 3 `.weights.h5` written as tensors arrive: each layer's group is decided when its
 * first tensor arrives (layout `key`, else the group the tensor was read from, else derived
 * from the class as Keras does), each variable at `<group>/<path>`.
 */
export class Keras3WeightsStream extends KerasStream {
  private readonly keys: GroupKeys;
  private readonly paths = new Map<LayerSlot, Set<string>>();
  private readonly namedVars = new Set<string>();

  private constructor(h5: H5Writer, private readonly k3: Keras3WeightsOptions, opts: StreamOptions) {
    super(h5, opts);
    this.keys = new GroupKeys(new Set());
    if (opts.layout) {
      const fixed = opts.layout.layers.map((l) => {
        if (l.key !== undefined) checkGroupPath(l.key, `group key of layer '${l.name}'`);
        return l.key;
      });
      const groups = layerGroupsOf(this.layers, fixed);
      this.layers.forEach((l, i) => {
        l.group = groups[i]!;
        this.keys.used.add(l.group);
      });
    }
    h5.group('layers');
  }

  /** Create the file at `path` (a path h5wasm can reach); `name` is used in errors. */
  static create(api: H5Api, path: string, opts: Keras3WeightsOptions & StreamOptions = {}, name = path): Keras3WeightsStream {
    const h5 = H5Writer.create(api, path, name);
    try {
      return new Keras3WeightsStream(h5, opts, opts);
    } catch (err) {
      h5.file.close();
      throw err;
    }
  }

  /** The layer's group, decided by its first tensor when no layout gave it. */
  private groupOf(layer: LayerSlot, tensor: AnyTensor): string {
    if (layer.group !== undefined) return layer.group;
    const from = sourceGroup(tensor);
    if (from !== undefined) {
      if (this.keys.used.has(from)) throw new InvalidArgumentError(`two layers would both be written to group '${from}'`, { entry: layer.name });
      this.keys.used.add(from);
      layer.group = from;
    } else {
      layer.group = this.keys.derive(layer.name, layer.className);
    }
    return layer.group;
  }

  /** Every saveable gets a vars group named after it (saving_lib H5IOStore.make), even without variables. */
  private createLayer(layer: LayerSlot, group: string): void {
    if (layer.created) return;
    layer.created = true;
    this.h5.group(`${group}/vars`);
    this.h5.vlenString(`${group}/vars`, 'name', layer.name, true);
    this.namedVars.add(`${group}/vars`);
  }

  protected writeWeight(layer: LayerSlot, index: number, tensor: AnyTensor): void | Promise<void> {
    const w = layer.weights[index]!;
    const top = this.groupOf(layer, tensor);
    const from = this.opts.layout ? undefined : sourceGroup(tensor);
    const dflt = layer.className && CELL_LAYERS.has(layer.className) ? 'cell/vars' : 'vars';
    const p = w.path ?? (from ? tensor.key.slice(from.length + 1) : `${dflt}/${index}`);
    checkVariablePath(p, layer.name, w.name);
    let used = this.paths.get(layer);
    if (!used) this.paths.set(layer, (used = new Set()));
    if (used.has(p)) throw new InvalidArgumentError(`layer '${layer.name}' has two variables at '${p}'`, { entry: tensor.key });
    used.add(p);
    this.createLayer(layer, top);
    const full = `${top}/${p}`;
    const vars = full.slice(0, full.lastIndexOf('/'));
    if (!this.namedVars.has(vars)) {
      this.namedVars.add(vars);
      this.h5.group(vars);
      // The object's name when known (read from the source file, or an RNN layer's cell);
      // Keras < 3.6 wrote none and loading ignores it.
      const saved = tensor.attrs?.varsName;
      const cell = layer.className && CELL_LAYERS.has(layer.className) && vars === `${top}/cell/vars` ? toSnakeCase(`${layer.className}Cell`) : undefined;
      const objName = typeof saved === 'string' ? saved : cell;
      if (objName !== undefined) this.h5.vlenString(vars, 'name', objName, true);
    }
    return this.h5.dataset(full, tensor, KERAS3);
  }

  protected writeOptimizer(index: number, tensor: AnyTensor): void | Promise<void> {
    if (!this.namedVars.has('optimizer/vars')) {
      this.namedVars.add('optimizer/vars');
      this.h5.group('optimizer/vars');
      this.h5.vlenString('optimizer/vars', 'name', this.k3.optimizerName ?? 'adam', true);
    }
    return this.h5.dataset(`optimizer/vars/${index}`, tensor, KERAS3);
  }

  protected writeAttributes(): void {
    for (const layer of this.layers) {
      if (!layer.created) this.createLayer(layer, layer.group ?? this.keys.derive(layer.name, layer.className));
    }
    // Keras 3.0–3.5 loaders open `vars` of the root unconditionally (FORMATS.md §6.2).
    this.h5.group('vars');
    this.h5.vlenString('vars', 'name', this.k3.modelName ?? 'sequential', true);
  }

  finish(): void {
    this.finishFile();
  }

  abort(): void {
    this.abortFile();
  }
}
