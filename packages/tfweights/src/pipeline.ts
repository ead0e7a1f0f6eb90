/**
 * The browser-safe half of the conversion pipeline: choose what to write and under which
 * names (filters, rename rules, template match, casts), then stream tensors one at a time
 * into a writer. `convert()` (Node) and the web app both run it; only opening and creating
 * files differ.
 */
import { byteLengthOf, InvalidArgumentError, UnsupportedDtypeError, type DTypeName, type Tensor, type TensorInfo, type TensorReader } from '@tfweights/core';
import type { FormatAdapter, OpenOptions, PipelineWriter } from './formats/adapter.js';
import { dtypeRefusal, implicitCast } from './formats/dtype-support.js';
import { dataOrderOf, modelOrder } from './lookup.js';
import { castDtype, castTensor, type CastMap } from './mapping/cast.js';
import { makeFilter } from './mapping/glob.js';
import { byteCountOf, readableName } from './mapping/normalise.js';
import { applyRenames, type RenameRule } from './mapping/rename-rule.js';
import { matchTemplate, templateReport, type TemplateMatch } from './mapping/template.js';
import { pairsByObjectGraph } from './formats/keras3-template.js';
import { checkpointKerasMap } from './formats/keras3-from-checkpoint.js';
import { refusedEntries } from './refused.js';

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
  /** The Keras model config for a Keras 3 `.weights.h5` input (see {@link OpenOptions.config}). */
  config?: string | object;
  /** Plan only: decide what would be written, renamed and left out, and write nothing. */
  dryRun?: boolean;
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

/** The first three names, and how many more, for a summary line. */
function someNames(names: readonly string[]): string {
  return names.slice(0, 3).join(', ') + (names.length > 3 ? `, … (${names.length - 3} more)` : '');
}

/** Tensors that describe a container, not weights: dropped when the format changes. */
function isContainerOnly(t: TensorInfo): boolean {
  return t.role === 'metadata' || t.key === '_CHECKPOINTABLE_OBJECT_GRAPH';
}

/** Decide what is written and how it is named; throws on name clashes or --strict misses. */
export function planConversion(
  reader: TensorReader, adapter: FormatAdapter, opts: ConvertOptions, template?: TensorReader,
): { written: PlannedTensor[]; skipped: TensorInfo[]; reasons: Map<string, string>; match?: TemplateMatch } {
  const renames = opts.renames ?? [];
  const casts = opts.casts ?? new Map();
  // Same format, names untouched: keep the format's own keys and its container tensors.
  const passthrough = adapter.id === reader.format && renames.length === 0 && !template;
  const keep = makeFilter(opts);
  const all = modelOrder(reader);
  const kept: TensorInfo[] = [];
  const skipped: TensorInfo[] = [];
  // The dtype a tensor is written as: --cast first, else a cast the format needs (bfloat16 → npz).
  const widened = new Map<string, string[]>();
  const outDtype = (t: TensorInfo): DTypeName => {
    const asked = castDtype(t.dtype, casts);
    if (asked !== t.dtype) return asked;
    const implicit = implicitCast(adapter.id, t.dtype, opts.extra);
    if (!implicit) return t.dtype;
    const label = `${t.dtype} tensor(s) exactly to ${implicit.to}: ${implicit.why}`;
    widened.set(label, [...(widened.get(label) ?? []), readableName(t)]);
    return implicit.to;
  };
  const refusedBy = (t: TensorInfo): string | undefined => {
    // A dtype the output has no place for is left out with the reason, not a stop at that tensor.
    const noDtype = dtypeRefusal(adapter.id, castDtype(t.dtype, casts));
    if (noDtype) return noDtype;
    const verdict = adapter.accepts?.(t, { source: reader, ...(template ? { template } : {}) });
    return verdict === undefined || verdict === true ? undefined : verdict;
  };
  const reasons = new Map<string, string[]>();
  const byKey = new Map<string, string>();
  for (const t of all) {
    const refused = !keep(t) ? 'filtered' : !passthrough && isContainerOnly(t) ? 'container' : refusedBy(t);
    if (refused === undefined) kept.push(t);
    else {
      skipped.push(t);
      if (refused === 'filtered') byKey.set(t.key, 'filtered out by --include / --exclude / --drop-optimizer');
      else if (refused === 'container') byKey.set(t.key, `describes the ${reader.format} container, not weights`);
      else {
        reasons.set(refused, [...(reasons.get(refused) ?? []), readableName(t)]);
        byKey.set(t.key, refused);
      }
    }
  }
  for (const [why, names] of reasons) opts.log?.(`left out ${names.length} tensor(s): ${why}: ${someNames(names)}`);
  // Entries the reader cannot read at all (e.g. pickled object arrays) are left out with the
  // reason; when nothing else is there, there is nothing to convert.
  const unreadable = new Map<string, string[]>();
  for (const r of refusedEntries(reader)) {
    unreadable.set(r.why, [...(unreadable.get(r.why) ?? []), r.key]);
    byKey.set(r.key, r.why);
  }
  if (all.length === 0 && unreadable.size > 0) {
    const list = [...unreadable].map(([why, keys]) => `${keys.join(', ')}: ${why}`).join('; ');
    throw new UnsupportedDtypeError(`nothing to convert: every entry is refused (${list})`, { file: reader.source });
  }
  for (const [why, keys] of unreadable) opts.log?.(`left out ${keys.length} unreadable entr${keys.length === 1 ? 'y' : 'ies'}: ${why}: ${someNames(keys)}`);
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
        source: p.source, key: p.target.key, name: readableName(p.target), dtype: outDtype(p.source),
        ...(p.target.layer ? { layer: p.target.layer } : {}),
      }));
    skipped.push(...match.unmatchedSource);
    for (const t of match.unmatchedSource) byKey.set(t.key, 'no tensor of the template matches it');
  } else {
    written = kept.map((t) => {
      const name = nameOf(t);
      return {
        source: t, key: passthrough ? t.key : name, name: passthrough ? t.name : name, dtype: outDtype(t),
        ...(t.layer && renames.length === 0 ? { layer: t.layer } : {}),
      };
    });
  }
  for (const [what, names] of widened) opts.log?.(`widened ${names.length} ${what}: ${someNames(names)}`);
  if (written.length === 0 && all.length > 0) throw nothingToWrite(reader, all, opts);
  const seen = new Map<string, TensorInfo>();
  for (const w of written) {
    const prev = seen.get(w.key);
    if (prev) {
      throw new InvalidArgumentError(`two tensors would both be written as '${w.key}': '${prev.key}' and '${w.source.key}' (use --rename or --exclude)`, { file: reader.source });
    }
    seen.set(w.key, w.source);
  }
  return { written, skipped, reasons: byKey, ...(match ? { match } : {}) };
}

/** Why a conversion would write an empty file: the --include that matched nothing, or everything left out. */
function nothingToWrite(reader: TensorReader, all: readonly TensorInfo[], opts: ConvertOptions): InvalidArgumentError {
  const examples = all.slice(0, 3).map((t) => `'${readableName(t)}'`).join(', ');
  const include = opts.include ?? [];
  if (include.length > 0 && !all.some(makeFilter({ include }))) {
    return new InvalidArgumentError(`--include ${include.map((g) => `'${g}'`).join(' ')} matched none of the ${all.length} tensors (names look like ${examples})`, { file: reader.source });
  }
  return new InvalidArgumentError(`nothing to write: all ${all.length} tensors were left out (by --include/--exclude/--drop-optimizer or because the output format cannot hold them)`, { file: reader.source });
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
 * in the reader's file order when everything is kept, else in plan order. `releaseMemory` is
 * called after each tensor is written (Node asks V8 for a collection there).
 */
export async function streamPlan(
  reader: TensorReader, writer: PipelineWriter, plan: readonly PlannedTensor[], opts: ConvertOptions,
  releaseMemory: (bytes: number) => void = () => undefined,
): Promise<number> {
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
