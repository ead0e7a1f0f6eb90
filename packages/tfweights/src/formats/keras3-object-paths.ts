/**
 * Keras tensors → the object paths Keras 3 on TensorFlow tracks them under, so that
 * `tf.train.Checkpoint(model=m, optimizer=m.optimizer).read(p)` restores a checkpoint we write
 * into a Keras 3 model (paths derived from the model config by mapping/keras3-tracking.ts).
 *
 * Each tensor is placed by its `.weights.h5` dataset, else by its Keras variable path
 * (`dense/kernel`, legacy `.h5` weight names), else by its position inside its layer when the
 * layer has exactly as many tensors as Keras gives it (Keras's own legacy loading is by position).
 * Anything else is an uncertain match: an error listing it, unless `allowUncertain`.
 */
import { InvalidArgumentError, type TensorInfo, type TensorReader } from '@tfweights/core';
import type { GraphVariable } from '@tfweights/checkpoint';
import { normaliseName } from '../mapping/normalise.js';
import { keras3Tracking, type TrackedVariable } from '../mapping/keras3-tracking.js';

/** The model config a conversion knows: the template's, else the input's. */
export function modelConfigOf(...readers: (TensorReader | undefined)[]): unknown {
  return readers.find((r) => r?.metadata?.model_config !== undefined)?.metadata?.model_config;
}

/** The optimizer class of a Keras config (`compile_config` of a `.keras`, `training_config` of a legacy `.h5`). */
export function optimizerClass(...readers: (TensorReader | undefined)[]): string | undefined {
  for (const r of readers) {
    const md = r?.metadata as { model_config?: { compile_config?: { optimizer?: { class_name?: unknown } } }; training_config?: { optimizer_config?: { class_name?: unknown } } } | undefined;
    const c = md?.model_config?.compile_config?.optimizer?.class_name ?? md?.training_config?.optimizer_config?.class_name;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

/** `cell/` segments dropped: our Keras 3 reader names a top-level RNN's variables `lstm/kernel`. */
const withoutCell = (p: string): string => p.replace(/\/(lstm|gru|simple_rnn)_cell\//, '/');

export interface Keras3Paths {
  /** One per plan tensor, in plan order. */
  readonly variables: GraphVariable[];
  /** How each tensor was placed (printed with the conversion's log). */
  readonly report: string[];
}

/**
 * Object paths (below the checkpoint root: `model/…`, `optimizer/…`) for each planned tensor.
 * `sourceOf` gives the input tensor a plan entry comes from (its key is the `.weights.h5` path).
 */
export function keras3ObjectPaths(
  plan: readonly TensorInfo[], modelConfig: unknown, opts: { sourceOf: (t: TensorInfo) => TensorInfo | undefined; allowUncertain?: boolean; optimizerClass?: string; file?: string; log?: (line: string) => void },
): Keras3Paths {
  const tracked = keras3Tracking(modelConfig);
  const out: (GraphVariable | undefined)[] = plan.map(() => undefined);
  const report: string[] = [];
  const problems: string[] = [];
  const fullName = (t: TensorInfo, v?: TrackedVariable) => (v ? v.path : normaliseName(t.name));
  const byLayer = new Map<string, number[]>();
  plan.forEach((t, i) => {
    if (t.role === 'optimizer' || t.role === 'bookkeeping') return;
    const layer = t.layer ?? normaliseName(t.name).split('/')[0]!;
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), i]);
  });
  for (const l of tracked.layers) {
    const mine = byLayer.get(l.name) ?? [];
    byLayer.delete(l.name);
    const free = new Set(l.variables);
    const left: number[] = [];
    for (const i of mine) {
      const t = plan[i]!;
      const key = opts.sourceOf(t)?.key;
      const name = normaliseName(t.name);
      const v = l.variables.find((x) => free.has(x) && (x.h5 === key || x.path === name || withoutCell(x.path) === name || x.path.endsWith(`/${name}`)));
      if (v) {
        free.delete(v);
        out[i] = { path: ['model', ...v.object], fullName: v.path };
      } else left.push(i);
    }
    if (left.length > 0 && left.length === free.size) {
      // Same count: by position inside the layer, as Keras loads a legacy .h5.
      const rest = l.variables.filter((x) => free.has(x));
      left.forEach((i, k) => {
        out[i] = { path: ['model', ...rest[k]!.object], fullName: rest[k]!.path };
        report.push(`  ~ ${normaliseName(plan[i]!.name)} -> ${rest[k]!.path} (by position in layer '${l.name}')`);
      });
      free.clear();
      left.length = 0;
    }
    for (const i of left) problems.push(`  - ${normaliseName(plan[i]!.name)}: no variable of that name in layer '${l.name}' (${l.className})`);
    for (const x of free) problems.push(`  + ${x.path}: Keras 3 has this variable in layer '${l.name}', no tensor fills it`);
  }
  for (const [layer, idx] of byLayer) for (const i of idx) problems.push(`  - ${normaliseName(plan[i]!.name)}: layer '${layer}' is not in the model config`);

  // Optimizer variables: Keras 3 keeps them in optimizer.variables order (.weights.h5
  // optimizer/vars/<n>, legacy .h5 optimizer_weights in order), tracked as `_variables/<n>`
  // (keras/src/optimizers/base_optimizer.py; TFOptimizer tracks lists by index).
  const optimizer = plan.map((t, i) => [t, i] as const).filter(([t]) => t.role === 'optimizer');
  optimizer.forEach(([t, i], k) => {
    // `optimizer/vars/3` → `optimizer/_variables/3`; a wrapped optimizer's `optimizer/inner_optimizer/vars/3` likewise.
    const m = /^optimizer\/(?:(.+)\/)?vars\/(\d+)$/.exec(opts.sourceOf(t)?.key ?? '');
    if (m) out[i] = { path: ['optimizer', ...(m[1] ? m[1].split('/') : []), '_variables', m[2]!], fullName: normaliseName(t.name) };
    else if (opts.optimizerClass === 'LossScaleOptimizer') problems.push(`  - ${normaliseName(t.name)}: a LossScaleOptimizer's legacy .h5 state is not mapped here (use --drop-optimizer)`);
    else out[i] = { path: ['optimizer', '_variables', String(k)], fullName: normaliseName(t.name) };
  });
  if (problems.length > 0 && !opts.allowUncertain) {
    opts.log?.(`Keras 3 object paths: ${problems.length} problem(s):`);
    for (const line of problems) opts.log?.(line);
    throw new InvalidArgumentError(`the tensors do not match the Keras 3 model config with certainty (pass --allow-uncertain-match to write them anyway):\n${problems.join('\n')}`, opts.file ? { file: opts.file } : {});
  }
  report.push(...problems);
  // Allowed uncertain leftovers keep their readable path, so nothing is lost.
  const variables = plan.map((t, i) => out[i] ?? { path: ['unmatched', ...normaliseName(t.name).split('/').filter(Boolean)], fullName: fullName(t) });
  return { variables, report };
}
