/**
 * The conversion pipeline: open IN, choose what to write and under which names (filters,
 * rename rules, template match, casts), then stream tensors one at a time into the writer.
 * At most one tensor is held in memory; the writer is atomic, so a failure leaves no output.
 */
import { resolve } from 'node:path';
import { byteLengthOf, InvalidArgumentError, type DTypeName, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import { refuseOverwritingInput } from '@tfweights/core/node';
import type { FormatAdapter, PipelineWriter } from './formats/adapter.js';
import type { AdapterRegistry } from './formats/registry.js';
import { dataOrderOf, modelOrder } from './lookup.js';
import { castDtype, castTensor, type CastMap } from './mapping/cast.js';
import { makeFilter } from './mapping/glob.js';
import { byteCountOf, readableName } from './mapping/normalise.js';
import { applyRenames, type RenameRule } from './mapping/rename.js';
import { releaseMemory } from './release-memory.js';
import { openKerasConfigTemplate } from './formats/keras-config-template.js';
import { pairsByObjectGraph } from './formats/keras3-template.js';
import { checkpointKerasMap } from './formats/keras3-from-checkpoint.js';
import { matchTemplate, templateReport, type TemplateMatch } from './mapping/template.js';

export interface ConvertOptions {
  /** Output format id; default: from OUT's extension. */
  to?: string;
  include?: readonly string[];
  exclude?: readonly string[];
  dropOptimizer?: boolean;
  renames?: readonly RenameRule[];
  /** A file or directory with the target structure. */
  template?: string;
  /** Fail when the template match leaves anything unmatched. */
  strict?: boolean;
  /**
   * Write a match that is not certain: template pairs made by order and shape, or Keras 3
   * object paths that the model config does not pin down. Without it such a conversion fails
   * with the match report.
   */
  allowUncertainMatch?: boolean;
  casts?: CastMap;
  /** Replace an existing OUT. */
  force?: boolean;
  /** Format-specific writer choices. */
  extra?: Record<string, string | boolean>;
  /** Lines for the user (match report, summary). */
  log?: (line: string) => void;
  /** Progress: total bytes once, then bytes per tensor. */
  onStart?: (totalBytes: number) => void;
  onTensor?: (bytes: number, name: string) => void;
}

/** One tensor to write: where it comes from and what it becomes. */
export interface PlannedTensor {
  readonly source: TensorInfo;
  readonly key: string;
  readonly name: string;
  readonly dtype: DTypeName;
  /** Layer in the output (the template's, or the input's when names are unchanged). */
  readonly layer?: string;
}

export interface ConvertResult {
  readonly input: string;
  readonly output: string;
  readonly from: string;
  readonly to: string;
  readonly written: readonly PlannedTensor[];
  readonly skipped: readonly TensorInfo[];
  readonly bytes: number;
  readonly match?: TemplateMatch;
}

/** Checkpoint prefixes may be typed with their `.index`; compare the prefixes. */
function samePathish(a: string): string {
  return resolve(a.replace(/\.index$/, '').replace(/\/+$/, ''));
}

/** Tensors that describe a container, not weights: dropped when the format changes. */
function isContainerOnly(t: TensorInfo): boolean {
  return t.role === 'metadata' || t.key === '_CHECKPOINTABLE_OBJECT_GRAPH';
}

/** Convert the file at `input` into `output` (format from `opts.to` or OUT's extension). */
export async function convert(registry: AdapterRegistry, input: string, output: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  refuseOverwritingInput(samePathish(output), [samePathish(input)]);
  const reader = await registry.open(input);
  try {
    return { ...(await convertReader(registry, reader, output, opts)), input };
  } finally {
    await reader.close();
  }
}

/**
 * Write what an open reader holds into `output`, through the same plan as {@link convert}
 * (filters, renames, template matching, casts). The reader stays open.
 */
export async function convertReader(registry: AdapterRegistry, reader: TensorReader, output: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  if (opts.template) refuseOverwritingInput(samePathish(output), [samePathish(opts.template)]);
  const adapter = registry.outputAdapter(output, opts.to);
  let template: TensorReader | undefined;
  try {
    if (opts.template) template = await openTemplate(registry, opts.template);
    const plan = planConversion(reader, adapter, opts, template);
    const writer = await registry.create(output, adapter, {
      overwrite: Boolean(opts.force),
      source: reader,
      ...(template && opts.template ? { template, templatePath: opts.template } : {}),
      ...(opts.extra ? { extra: opts.extra } : {}),
      ...(opts.allowUncertainMatch ? { allowUncertainMatch: true } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      plan: plan.written.map(plannedInfo),
    });
    const bytes = await stream(reader, writer, plan.written, opts);
    return { input: reader.source, output, from: reader.format, to: adapter.id, bytes, ...plan };
  } finally {
    await template?.close();
  }
}

/** A template file: any readable weights file, or a Keras model config JSON (structure only). */
async function openTemplate(registry: AdapterRegistry, path: string): Promise<TensorReader> {
  try {
    return await registry.open(path);
  } catch (err) {
    if (!/\.json$/i.test(path)) throw err;
    return openKerasConfigTemplate(path);
  }
}

/** Decide what is written and how it is named; throws on name clashes or --strict misses. */
export function planConversion(
  reader: TensorReader, adapter: FormatAdapter, opts: ConvertOptions, template?: TensorReader,
): { written: PlannedTensor[]; skipped: TensorInfo[]; match?: TemplateMatch } {
  const renames = opts.renames ?? [];
  const casts = opts.casts ?? new Map();
  // Same format, names untouched: keep the format's own keys and its container tensors.
  const passthrough = adapter.id === reader.format && renames.length === 0 && !template;
  const keep = makeFilter(opts);
  const all = modelOrder(reader);
  const kept: TensorInfo[] = [];
  const skipped: TensorInfo[] = [];
  const refusedBy = (t: TensorInfo): string | undefined => {
    const verdict = adapter.accepts?.(t, { source: reader, ...(template ? { template } : {}) });
    return verdict === undefined || verdict === true ? undefined : verdict;
  };
  const reasons = new Map<string, string[]>();
  for (const t of all) {
    const refused = keep(t) && (passthrough || !isContainerOnly(t)) ? refusedBy(t) : 'filtered';
    if (refused === undefined) kept.push(t);
    else {
      skipped.push(t);
      if (refused !== 'filtered') reasons.set(refused, [...(reasons.get(refused) ?? []), readableName(t)]);
    }
  }
  for (const [why, names] of reasons) {
    const some = names.slice(0, 3).join(', ') + (names.length > 3 ? `, … (${names.length - 3} more)` : '');
    opts.log?.(`left out ${names.length} tensor(s): ${why}: ${some}`);
  }
  const nameOf = (t: TensorInfo) => applyRenames(readableName(t), renames);
  let written: PlannedTensor[];
  let match: TemplateMatch | undefined;
  // A TF2 checkpoint of a Keras 3 model written as a Keras file with the model's config at hand is
  // placed exactly by its object graph (formats/keras3-from-checkpoint.ts), not by matching names.
  const placedByGraph = template !== undefined && (adapter.id === 'keras3' || adapter.id === 'keras-h5') && checkpointKerasMap(reader, template) !== undefined;
  if (placedByGraph) opts.log?.('template: its model config places every checkpoint variable through the checkpoint\'s object graph');
  if (template && template.list().length > 0 && !placedByGraph) {
    // Template tensors of a role the input does not carry (e.g. optimizer state) are not asked for.
    const roles = new Set(kept.map((t) => t.role ?? 'weight'));
    const targets = modelOrder(template).filter((t) => !isContainerOnly(t));
    const asked = targets.filter((t) => roles.has(t.role ?? 'weight') && !(opts.dropOptimizer && t.role === 'optimizer'));
    const ignored = targets.length - asked.length;
    if (ignored > 0) opts.log?.(`template: ${ignored} tensor(s) of a role the input does not carry (optimizer state, bookkeeping) are not asked for`);
    match = matchTemplate(kept, asked, nameOf, renames.length === 0 ? pairsByObjectGraph(kept, reader, template) : undefined);
    for (const line of templateReport(match, nameOf)) opts.log?.(line);
    if (opts.strict && (match.unmatchedSource.length > 0 || match.unmatchedTarget.length > 0)) {
      throw new InvalidArgumentError(`--strict: template match left ${match.unmatchedSource.length} source and ${match.unmatchedTarget.length} template tensor(s) unmatched`, { file: template.source });
    }
    const byOrder = match.pairs.filter((p) => p.how === 'order');
    if (byOrder.length > 0 && !opts.allowUncertainMatch) {
      // A pair made by order and shape may put a tensor into the wrong layer: never written silently.
      throw new InvalidArgumentError(`template match is not certain: ${byOrder.length} tensor(s) paired only by order and shape ` +
        `(${byOrder.slice(0, 3).map((p) => `${nameOf(p.source)} -> ${readableName(p.target)}`).join(', ')}${byOrder.length > 3 ? ', …' : ''}); ` +
        'check the report and pass --allow-uncertain-match to write it anyway', { file: template.source });
    }
    const targetOrder = new Map(asked.map((t, i) => [t, i]));
    written = [...match.pairs]
      .sort((x, y) => targetOrder.get(x.target)! - targetOrder.get(y.target)!)
      .map((p) => ({
        source: p.source, key: p.target.key, name: readableName(p.target), dtype: castDtype(p.source.dtype, casts),
        ...(p.target.layer ? { layer: p.target.layer } : {}),
      }));
    skipped.push(...match.unmatchedSource);
  } else {
    written = kept.map((t) => {
      const name = nameOf(t);
      return {
        source: t, key: passthrough ? t.key : name, name: passthrough ? t.name : name, dtype: castDtype(t.dtype, casts),
        ...(t.layer && renames.length === 0 ? { layer: t.layer } : {}),
      };
    });
  }
  const seen = new Map<string, TensorInfo>();
  for (const w of written) {
    const prev = seen.get(w.key);
    if (prev) {
      throw new InvalidArgumentError(`two tensors would both be written as '${w.key}': '${prev.key}' and '${w.source.key}' (use --rename or --exclude)`, { file: reader.source });
    }
    seen.set(w.key, w.source);
  }
  return { written, skipped, ...(match ? { match } : {}) };
}

/** Keys in data-file order, for readers that can tell it without reading (checkpoints: `dataOrder()`). */
function fileOrder(reader: TensorReader): readonly string[] | undefined {
  const all = dataOrderOf(reader);
  if (!all) return undefined;
  const listed = new Set(reader.list().map((t) => t.key));
  const order = all.filter((k) => listed.has(k));
  return order.length === listed.size ? order : undefined;
}

/** The TensorInfo a planned tensor will have in the output. */
export function plannedInfo(p: PlannedTensor): TensorInfo {
  const s = p.source;
  const byteLength = p.dtype === s.dtype ? byteCountOf(s) : byteLengthOf(p.dtype, s.shape);
  return {
    key: p.key, name: p.name, dtype: p.dtype, shape: s.shape, byteLength,
    ...(s.role ? { role: s.role } : {}), ...(p.layer ? { layer: p.layer } : {}), ...(s.attrs ? { attrs: s.attrs } : {}),
  };
}

/**
 * Stream the planned tensors into the writer: in the writer's own order when it has one, else
 * in the reader's file order when everything is kept, else in plan order.
 */
async function stream(reader: TensorReader, writer: PipelineWriter, plan: readonly PlannedTensor[], opts: ConvertOptions): Promise<number> {
  const bySource = new Map(plan.map((p) => [p.source.key, p]));
  const total = plan.reduce((s, p) => s + byteCountOf(p.source), 0);
  opts.onStart?.(total);
  let bytes = 0;
  try {
    const emit = async (t: Tensor, p: PlannedTensor) => {
      const { layer: _drop, ...rest } = t;
      let out: Tensor = { ...rest, key: p.key, name: p.name, ...(p.layer ? { layer: p.layer } : {}) };
      if (p.dtype !== t.dtype) out = castTensor(out, p.dtype);
      await writer.write(out);
      bytes += t.byteLength;
      opts.onTensor?.(t.byteLength, p.name);
    };
    const everything = plan.length === reader.list().length && !opts.template;
    if (writer.order) {
      const byOut = new Map(plan.map((p) => [p.key, p]));
      for (const key of writer.order) {
        const p = byOut.get(key);
        if (p) {
          await emit(await reader.read(p.source.key), p);
          releaseMemory(p.source.byteLength);
        }
      }
    } else if (everything && fileOrder(reader)) {
      // File order known without reading: this tensor is written while the next is read,
      // and each written tensor is released at once, so two tensors are in memory at most.
      const keys = fileOrder(reader)!.filter((k) => bySource.has(k));
      let next: Promise<Tensor> | undefined = keys[0] === undefined ? undefined : reader.read(keys[0]);
      for (let i = 0; i < keys.length; i++) {
        let t: Tensor | undefined = await next!;
        // Read the next tensor while this one is written (the disk is the bottleneck).
        next = keys[i + 1] === undefined ? undefined : reader.read(keys[i + 1]!);
        next?.catch(() => undefined);
        const bytes = t.byteLength;
        await emit(t, bySource.get(keys[i]!)!);
        t = undefined;
        releaseMemory(bytes);
      }
    } else if (everything) {
      // File order: sequential reads, and a same-format writer can keep the data layout.
      for await (const t of reader.tensors()) {
        const p = bySource.get(t.key);
        if (p) await emit(t, p);
        releaseMemory(t.byteLength);
      }
    } else {
      for (const p of plan) {
        await emit(await reader.read(p.source.key), p);
        releaseMemory(p.source.byteLength);
      }
    }
    await writer.finish();
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
  return bytes;
}
