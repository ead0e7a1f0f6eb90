/**
 * --template: pair each source tensor with a tensor of the target structure. First by
 * normalised name, then, for what is left, by order and shape (the i-th unmatched source
 * tensor of a shape goes to the i-th unmatched target tensor of that shape). Nothing is
 * matched silently: the result says how each pair was made and what stayed unmatched.
 */
import type { TensorInfo } from '@tfweights/core';
import { matchForm, matchForms, readableName } from './normalise.js';

export interface TemplatePair {
  readonly source: TensorInfo;
  readonly target: TensorInfo;
  /**
   * `name`: by normalised name; `layer`: by position inside a layer of the same name holding as
   * many tensors of the same shapes (how Keras itself loads a legacy .h5; certain); `order`: by
   * global order and shape (not certain: may cross layers).
   */
  readonly how: 'name' | 'layer' | 'order';
}

export interface TemplateMatch {
  readonly pairs: readonly TemplatePair[];
  /** Source tensors with no place in the template (not written). */
  readonly unmatchedSource: readonly TensorInfo[];
  /** Template tensors no source tensor fills. */
  readonly unmatchedTarget: readonly TensorInfo[];
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Match `sources` (already renamed: `nameOf` gives the name to match with) to `targets`.
 * Both lists should be in layer/file order for the order pass to be meaningful.
 */
export function matchTemplate(
  sources: readonly TensorInfo[], targets: readonly TensorInfo[], nameOf: (t: TensorInfo) => string = readableName,
  /** Pairs already known for certain (e.g. through a template checkpoint's object graph). */
  preset?: ReadonlyMap<TensorInfo, TensorInfo>,
): TemplateMatch {
  const pairs: TemplatePair[] = [];
  const presetUsed = new Set<TensorInfo>();
  for (const [s, t] of preset ?? []) {
    if (!targets.includes(t) || presetUsed.has(t)) continue;
    presetUsed.add(t);
    pairs.push({ source: s, target: t, how: 'name' });
  }
  sources = sources.filter((s) => !pairs.some((p) => p.source === s));
  const targetByName = new Map<string, TensorInfo[]>();
  for (const t of targets) {
    for (const k of matchForms(t)) targetByName.set(k, [...(targetByName.get(k) ?? []), t]);
  }
  const used = new Set<TensorInfo>(presetUsed);
  const leftSources: TensorInfo[] = [];
  for (const s of sources) {
    const full = s.attrs?.full_name;
    const keys = [matchForm(nameOf(s)), ...(typeof full === 'string' && full !== '' ? [matchForm(full)] : [])];
    const cands = keys.flatMap((k) => targetByName.get(k) ?? []);
    const t = cands.find((c) => !used.has(c) && sameShape(c.shape, s.shape));
    if (t) {
      used.add(t);
      pairs.push({ source: s, target: t, how: 'name' });
    } else leftSources.push(s);
  }
  // Layer pass: a layer's leftovers onto the same layer's free targets, by position, when both
  // sides have the same count and shapes.
  const layerOf = (t: TensorInfo) => (t.layer === undefined ? undefined : t.layer.toLowerCase());
  const stillLeft: TensorInfo[] = [];
  const srcLayers = new Map<string, TensorInfo[]>();
  for (const s of leftSources) {
    const l = layerOf(s);
    if (l === undefined) stillLeft.push(s);
    else srcLayers.set(l, [...(srcLayers.get(l) ?? []), s]);
  }
  for (const [l, srcs] of srcLayers) {
    const free = targets.filter((t) => !used.has(t) && layerOf(t) === l);
    if (free.length === srcs.length && srcs.every((s, i) => sameShape(s.shape, free[i]!.shape))) {
      srcs.forEach((s, i) => {
        used.add(free[i]!);
        pairs.push({ source: s, target: free[i]!, how: 'layer' });
      });
    } else stillLeft.push(...srcs);
  }
  leftSources.length = 0;
  leftSources.push(...stillLeft);
  // Order pass: per shape, the i-th unmatched source goes to the i-th unmatched target.
  const shapeKey = (t: TensorInfo) => t.shape.join(',');
  const freeTargets = new Map<string, TensorInfo[]>();
  for (const t of targets) {
    if (used.has(t)) continue;
    freeTargets.set(shapeKey(t), [...(freeTargets.get(shapeKey(t)) ?? []), t]);
  }
  const unmatchedSource: TensorInfo[] = [];
  for (const s of leftSources) {
    const t = freeTargets.get(shapeKey(s))?.shift();
    if (!t) {
      unmatchedSource.push(s);
      continue;
    }
    used.add(t);
    pairs.push({ source: s, target: t, how: 'order' });
  }
  return { pairs, unmatchedSource, unmatchedTarget: targets.filter((t) => !used.has(t)) };
}

/** The human report printed by `convert --template`. */
export function templateReport(m: TemplateMatch, nameOf: (t: TensorInfo) => string = readableName): string[] {
  const lines: string[] = [];
  const byName = m.pairs.filter((p) => p.how === 'name').length;
  const byLayer = m.pairs.filter((p) => p.how === 'layer').length;
  const byOrder = m.pairs.length - byName - byLayer;
  lines.push(`template match: ${m.pairs.length} matched (${byName} by name, ${byOrder} by order and shape${byLayer > 0 ? `, ${byLayer} by position in their layer` : ''}), ` +
    `${m.unmatchedSource.length} source unmatched, ${m.unmatchedTarget.length} template unmatched`);
  for (const p of m.pairs) {
    const how = p.how === 'order' ? ' (by order and shape)' : p.how === 'layer' ? ` (by position in layer '${p.target.layer}')` : '';
    lines.push(`  ${p.how === 'name' ? '=' : '~'} ${nameOf(p.source)} -> ${readableName(p.target)} [${p.target.shape.join(', ')}]${how}`);
  }
  for (const s of m.unmatchedSource) lines.push(`  - ${nameOf(s)} [${s.shape.join(', ')}]: no template tensor of this name or shape (not written)`);
  for (const t of m.unmatchedTarget) lines.push(`  + ${readableName(t)} [${t.shape.join(', ')}]: in the template, no source tensor fills it`);
  return lines;
}
