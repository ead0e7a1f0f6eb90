/**
 * Atomic Keras writers for Node: h5wasm writes to a temporary path beside the target (or in
 * the system temp folder for the HDF5 member of a `.keras`), which is renamed into place only
 * when complete.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipWriter, type Tensor, type TensorWriter } from '@tfweights/core';
import { createFileSink, openFile, refuseOverwritingInput, writeAtomically, type AtomicOptions } from '@tfweights/core/node';
import { writeKeras3WeightsFile, writeLegacyH5File, type Keras3WeightsOptions, type LegacyH5Options } from '../write-layouts.js';
import { groupTensorsByLayer, type KerasModelWeights } from '../writer-input.js';
import { nodeH5Api } from './h5wasm-node.js';
import { patchFixedStringsToNullPad } from './strpad.js';

export interface WriteOptions extends AtomicOptions {
  /** Paths being read, so the output can never replace one of them. */
  inputs?: readonly string[];
}

export interface ArchiveOptions extends Keras3WeightsOptions, WriteOptions {
  /** config.json content (object or JSON text). Default: a minimal Sequential listing, enough for `load_weights`. */
  config?: unknown;
  /** metadata.json content. Default: `{"keras_version": kerasVersion, "date_saved": now}`. */
  metadata?: unknown;
  /** keras_version for the default metadata.json (default `3.10.0`). */
  kerasVersion?: string;
}

/** Write a legacy Keras `.h5` that `load_weights` accepts (and `load_model` with a model config). */
export async function writeKerasH5(path: string, model: KerasModelWeights, opts: LegacyH5Options & WriteOptions = {}): Promise<void> {
  refuseOverwritingInput(path, opts.inputs ?? []);
  const api = await nodeH5Api();
  await writeAtomically(path, async (temp) => {
    const written = writeLegacyH5File(api, temp, model, opts, path);
    await patchFixedStringsToNullPad(temp, written);
  }, opts);
}

/** Write a Keras 3 `.weights.h5`. */
export async function writeKerasWeightsH5(path: string, model: KerasModelWeights, opts: Keras3WeightsOptions & WriteOptions = {}): Promise<void> {
  refuseOverwritingInput(path, opts.inputs ?? []);
  const api = await nodeH5Api();
  await writeAtomically(path, async (temp) => writeKeras3WeightsFile(api, temp, model, opts, path), opts);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `json.dumps` with Python's default separators, for small flat objects. */
function pythonJson(v: unknown): string {
  return JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').replace(/\{ /g, '{').replace(/ \}/g, '}');
}

function defaultConfig(model: KerasModelWeights): unknown {
  return {
    module: 'keras', class_name: 'Sequential', registered_name: null,
    config: { name: 'sequential', layers: model.layers.map((l) => ({ class_name: l.className ?? 'Layer', config: { name: l.name } })) },
  };
}

/** Write a `.keras` archive: stored members metadata.json, config.json, model.weights.h5, in that order. */
export async function writeKerasArchive(path: string, model: KerasModelWeights, opts: ArchiveOptions = {}): Promise<void> {
  refuseOverwritingInput(path, opts.inputs ?? []);
  const api = await nodeH5Api();
  const dir = await mkdtemp(join(tmpdir(), 'tfw-keras-'));
  try {
    const h5Path = join(dir, 'model.weights.h5');
    writeKeras3WeightsFile(api, h5Path, model, opts, `${path}:model.weights.h5`);
    const d = new Date();
    const metadata = opts.metadata ?? {
      keras_version: opts.kerasVersion ?? '3.10.0',
      date_saved: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}@${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    };
    const enc = new TextEncoder();
    const toText = (v: unknown): string => (typeof v === 'string' ? v : pythonJson(v));
    const sink = await createFileSink(path, opts);
    const zip = new ZipWriter(sink);
    const h5 = await openFile(h5Path);
    try {
      await zip.addBytes('metadata.json', enc.encode(toText(metadata)));
      await zip.addBytes('config.json', enc.encode(typeof opts.config === 'string' ? opts.config : JSON.stringify(opts.config ?? defaultConfig(model))));
      await zip.addSource('model.weights.h5', h5);
      await zip.finish();
    } catch (err) {
      await zip.abort().catch(() => undefined);
      throw err;
    } finally {
      await h5.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Collects tensors, groups them into layers by `tensor.layer` or `<layer>/<weight>` names, writes on finish. */
class CollectingWriter implements TensorWriter {
  private readonly tensors: Tensor[] = [];
  private done = false;
  constructor(private readonly write_: (model: KerasModelWeights) => Promise<void>, private readonly classes: Readonly<Record<string, string>> = {}) {}
  async write(tensor: Tensor): Promise<void> {
    this.tensors.push(tensor);
  }
  async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const model = groupTensorsByLayer(this.tensors);
    const layers = model.layers.map((l) => (this.classes[l.name] ? { ...l, className: this.classes[l.name]! } : l));
    await this.write_({ ...model, layers });
  }
  async abort(): Promise<void> {
    this.done = true;
    this.tensors.length = 0;
  }
}

export interface AdapterOptions {
  /** Layer name → class name (Keras 3 group keys and config). */
  classes?: Readonly<Record<string, string>>;
}

/** A TensorWriter producing a legacy `.h5` (all tensors held until finish). */
export function createKerasH5Writer(path: string, opts: LegacyH5Options & WriteOptions & AdapterOptions = {}): TensorWriter {
  return new CollectingWriter((m) => writeKerasH5(path, m, opts), opts.classes);
}

/** A TensorWriter producing a Keras 3 `.weights.h5`. */
export function createKerasWeightsH5Writer(path: string, opts: Keras3WeightsOptions & WriteOptions & AdapterOptions = {}): TensorWriter {
  return new CollectingWriter((m) => writeKerasWeightsH5(path, m, opts), opts.classes);
}

/** A TensorWriter producing a `.keras` archive. */
export function createKerasArchiveWriter(path: string, opts: ArchiveOptions & AdapterOptions = {}): TensorWriter {
  return new CollectingWriter((m) => writeKerasArchive(path, m, opts), opts.classes);
}
