/**
 * SavedModelReader: a TensorReader over `variables/variables.*` (through @tfweights/checkpoint)
 * whose names come from `saved_model.pb`: TF2 variables get their SavedVariable name, object
 * path and `trainable`; TF1 SavedModels keep their bundle keys as names. Signatures and meta
 * graph facts come from the decoded proto.
 */
import {
  CorruptDataError, InvalidArgumentError, TensorNotFoundError,
  type ChunkedTensor, type FormatId, type ReadOptions, type Tensor, type TensorInfo, type TensorReader, type TensorRole,
} from '@tfweights/core';
import type { CheckpointReader } from '@tfweights/checkpoint';
import { mapVariables, type VariableMapping } from './variable-map.js';
import type {
  FingerprintInfo, MetaGraphInfo, SavedModelInfo, SavedModelVariable, SignatureInfo,
} from './types.js';

/** Bundle key of the TF2 object graph tensor (tensorflow/python/checkpoint, FORMATS.md §3.1). */
export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';


export interface SavedModelReaderParts {
  /** What was opened, for messages (the directory path). */
  readonly source: string;
  readonly model: SavedModelInfo;
  /** The meta graph in use (selected by tags). */
  readonly metaGraph: MetaGraphInfo;
  /** The variables bundle; absent for a program-only SavedModel. */
  readonly bundle?: CheckpointReader;
  readonly fingerprint?: FingerprintInfo;
}

function sameShape(spec: readonly number[] | null, shape: readonly number[]): boolean {
  if (spec === null) return true;
  return spec.length === shape.length && spec.every((d, i) => d < 0 || d === shape[i]);
}

function roleOf(info: TensorInfo, isVariable: boolean): TensorRole {
  if (info.key === OBJECT_GRAPH_KEY) return 'metadata';
  if (isVariable) return info.role === 'optimizer' ? 'optimizer' : 'weight';
  return info.role ?? 'weight';
}

export class SavedModelReader implements TensorReader {
  readonly format: FormatId = 'savedmodel';
  readonly source: string;
  private readonly vars: SavedModelVariable[];
  private readonly infos: TensorInfo[];
  private readonly byKey = new Map<string, TensorInfo>();
  private readonly aliases = new Map<string, string[]>();
  /** Result of the joint object-graph walk (TF2 only). */
  readonly mapping?: VariableMapping;

  private constructor(private readonly parts: SavedModelReaderParts, mapping: VariableMapping | undefined) {
    this.source = parts.source;
    if (mapping) this.mapping = mapping;
    const bundleInfos = parts.bundle?.list() ?? [];
    const bundleByKey = new Map(bundleInfos.map((i) => [i.key, i]));
    this.vars = mapping ? this.tf2Variables(mapping, bundleByKey) : this.tf1Variables(bundleInfos);
    const varByKey = new Map(this.vars.map((v) => [v.key, v]));
    this.infos = bundleInfos.map((info) => {
      const v = varByKey.get(info.key);
      const attrs: Record<string, string | number | boolean> = { ...(info.attrs ?? {}) };
      if (v?.trainable !== undefined) attrs.trainable = v.trainable;
      if (v?.objectPath !== undefined) attrs.objectPath = v.objectPath;
      if (v && v.variableName !== v.key) attrs.variableName = v.variableName;
      const out: TensorInfo = {
        ...info,
        name: v ? v.name : info.name,
        role: roleOf(info, v !== undefined),
        ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
      };
      return out;
    });
    for (const info of this.infos) this.byKey.set(info.key, info);
    for (const v of this.vars) {
      for (const alias of new Set([v.name, v.variableName, v.objectPath].filter((a): a is string => !!a && a !== v.key))) {
        const list = this.aliases.get(alias) ?? [];
        if (!list.includes(v.key)) list.push(v.key);
        this.aliases.set(alias, list);
      }
    }
  }

  /** Build a reader; for TF2 reads the bundle's object graph and maps variables. */
  static async create(parts: SavedModelReaderParts): Promise<SavedModelReader> {
    const og = parts.metaGraph.objectGraph;
    let mapping: VariableMapping | undefined;
    if (og && parts.bundle) {
      const ckptGraph = parts.bundle.objectGraph();
      if (ckptGraph) mapping = mapVariables(og, ckptGraph, parts.source);
    }
    return new SavedModelReader(parts, mapping);
  }

  private tf2Variables(mapping: VariableMapping, bundle: Map<string, TensorInfo>): SavedModelVariable[] {
    const counts = new Map<string, number>();
    for (const b of mapping.bindings) counts.set(b.variable.name, (counts.get(b.variable.name) ?? 0) + 1);
    const out: SavedModelVariable[] = [];
    for (const b of mapping.bindings) {
      const entry = bundle.get(b.key);
      if (!entry) {
        throw new CorruptDataError(`SavedVariable '${b.variable.name}' (object ${b.path.join('/')}) points at bundle key '${b.key}', which variables.index does not have`, {
          file: this.parts.source, entry: b.key,
        });
      }
      if ((b.variable.dtype && b.variable.dtype !== entry.dtype) || !sameShape(b.variable.shape, entry.shape)) {
        throw new CorruptDataError(`SavedVariable '${b.variable.name}' disagrees with its bundle entry '${b.key}'`, {
          file: this.parts.source, entry: b.key,
          expected: `${b.variable.dtype ?? '?'} [${b.variable.shape?.join(', ') ?? 'unknown rank'}]`,
          found: `${entry.dtype} [${entry.shape.join(', ')}]`,
        });
      }
      const objectPath = b.path.join('/');
      const unique = b.variable.name !== '' && counts.get(b.variable.name) === 1;
      out.push({
        key: b.key, name: unique ? b.variable.name : objectPath, variableName: b.variable.name, objectPath, nodeId: b.nodeId,
        dtype: entry.dtype, shape: entry.shape, trainable: b.variable.trainable,
      });
    }
    return out;
  }

  private tf1Variables(infos: readonly TensorInfo[]): SavedModelVariable[] {
    return infos
      .filter((i) => i.key !== OBJECT_GRAPH_KEY)
      .map((i) => ({ key: i.key, name: i.key, variableName: i.key, dtype: i.dtype, shape: i.shape }));
  }

  /** Every bundle entry (TF2 includes `_CHECKPOINTABLE_OBJECT_GRAPH`, role `metadata`), in key order. */
  list(): readonly TensorInfo[] {
    return this.infos;
  }

  /** The SavedModel's variables with their bundle keys, in object-graph walk order (TF1: key order). */
  variables(): readonly SavedModelVariable[] {
    return this.vars;
  }

  /** Every meta graph of the file (TF1 may have several, e.g. `train` and `serve`). */
  metaGraphs(): readonly MetaGraphInfo[] {
    return this.parts.model.metaGraphs;
  }

  /** The meta graph this reader uses (chosen by tags). */
  get metaGraph(): MetaGraphInfo {
    return this.parts.metaGraph;
  }

  /** Signatures of the selected meta graph, sorted by key. */
  signatures(): readonly SignatureInfo[] {
    return this.parts.metaGraph.signatures;
  }

  /** Decoded fingerprint.pb, when the directory has one. */
  get fingerprint(): FingerprintInfo | undefined {
    return this.parts.fingerprint;
  }

  get metadata(): Readonly<Record<string, unknown>> {
    const m = this.parts.metaGraph;
    return {
      schemaVersion: this.parts.model.schemaVersion,
      tags: m.tags,
      tensorflowVersion: m.tensorflowVersion,
      tensorflowGitVersion: m.tensorflowGitVersion,
      metaGraphs: this.parts.model.metaGraphs.map((g) => g.tags),
      signatures: m.signatures.map((s) => s.key),
      objectGraph: m.objectGraph !== undefined,
      ...(this.mapping && this.mapping.unbound.length > 0 ? { unboundVariableNodes: this.mapping.unbound } : {}),
      ...(this.mapping && this.mapping.missing.length > 0 ? { missingObjects: this.mapping.missing } : {}),
    };
  }

  /**
   * Bundle key for a bundle key, a readable name, a SavedVariable name or an object path.
   * Throws TensorNotFoundError, or InvalidArgumentError when a name is shared by several variables.
   */
  resolveKey(nameOrKey: string): string {
    if (this.byKey.has(nameOrKey)) return nameOrKey;
    const keys = this.aliases.get(nameOrKey);
    if (keys && keys.length === 1) return keys[0]!;
    if (keys && keys.length > 1) {
      throw new InvalidArgumentError(`'${nameOrKey}' names ${keys.length} variables (${keys.join(', ')}); use a bundle key or object path`, { file: this.source });
    }
    throw new TensorNotFoundError(nameOrKey, [...this.byKey.keys(), ...this.aliases.keys()], { file: this.source });
  }

  /** Info of one tensor by key or name. */
  info(nameOrKey: string): TensorInfo {
    return this.byKey.get(this.resolveKey(nameOrKey))!;
  }

  private withInfo<T extends TensorInfo>(t: T): T {
    const info = this.byKey.get(t.key);
    if (!info) return t;
    return { ...t, name: info.name, ...(info.role ? { role: info.role } : {}), ...(info.attrs ? { attrs: info.attrs } : {}) };
  }

  /** The variables bundle reader (undefined for a program-only SavedModel). */
  get bundle(): CheckpointReader | undefined {
    return this.parts.bundle;
  }

  private requireBundle(): CheckpointReader {
    if (!this.parts.bundle) {
      throw new TensorNotFoundError('(any)', [], { file: this.source, expected: 'a variables/ bundle (this SavedModel is program-only)' });
    }
    return this.parts.bundle;
  }

  async read(nameOrKey: string, options?: ReadOptions): Promise<Tensor> {
    const key = this.resolveKey(nameOrKey);
    return this.withInfo(await this.requireBundle().read(key, options));
  }

  /**
   * The tensor's bytes in chunks, straight from the variables bundle (the checkpoint reader's
   * `readChunked`: CRC-32C checked on the fly, a mismatch thrown after the last chunk), so a
   * SavedModel converts in the same bounded memory as a checkpoint.
   */
  async readChunked(nameOrKey: string, options?: ReadOptions): Promise<ChunkedTensor> {
    const key = this.resolveKey(nameOrKey);
    return this.withInfo(await this.requireBundle().readChunked(key, options));
  }

  async *tensors(options?: ReadOptions): AsyncIterable<Tensor> {
    if (!this.parts.bundle) return;
    for await (const t of this.parts.bundle.tensors(options)) yield this.withInfo(t);
  }

  async close(): Promise<void> {
    await this.parts.bundle?.close();
  }
}
