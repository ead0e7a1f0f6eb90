/**
 * What `convert --dry-run` and `convert --json` tell: the plan (each tensor written, under which
 * name and dtype, renamed or not; each left out and why) and, after a real run, what was written.
 */
import type { TensorInfo } from '@tfweights/core';
import { byteCountOf, formatBytes, plannedInfo, readableName, type ConvertResult, type PlannedTensor } from 'tfweights/cli';

export interface PlanReport {
  input: string;
  output: string;
  from: string;
  to: string;
  dryRun: boolean;
  written: { from: string; key: string; name: string; dtype: string; shape: number[]; bytes: number; renamed: boolean; cast?: string }[];
  leftOut: { key: string; name: string; reason: string }[];
  /** Bytes the output took on disk (after a real run). */
  outputBytes?: number;
  notes: string[];
}

/** The report of a conversion (or of its plan, for a dry run); `notes` are the pipeline's log lines. */
export function planReport(result: ConvertResult, dryRun: boolean, notes: readonly string[], outputBytes?: number): PlanReport {
  return {
    input: result.input, output: result.output, from: result.from, to: result.to, dryRun,
    written: result.written.map((p: PlannedTensor) => {
      const info = plannedInfo(p);
      return {
        from: p.source.key, key: p.key, name: p.name, dtype: p.dtype, shape: [...info.shape], bytes: byteCountOf(info),
        renamed: p.name !== readableName(p.source), ...(p.dtype !== p.source.dtype ? { cast: `${p.source.dtype}→${p.dtype}` } : {}),
      };
    }),
    leftOut: result.skipped.map((t: TensorInfo) => ({ key: t.key, name: readableName(t), reason: result.reasons.get(t.key) ?? reasonOf(t) })),
    ...(outputBytes !== undefined ? { outputBytes } : {}),
    notes: [...notes],
  };
}

function reasonOf(t: TensorInfo): string {
  return t.role === 'metadata' ? 'describes the input container, not weights' : 'left out by the plan';
}

/** The text form of a dry run. */
export function planText(r: PlanReport): string {
  const lines = [`would write ${r.output} (${r.to}) from ${r.input} (${r.from}): ${r.written.length} tensors, ${formatBytes(r.written.reduce((s, w) => s + w.bytes, 0))}`];
  for (const w of r.written) {
    const from = w.renamed || w.from !== w.key ? `  ← ${w.from}` : '';
    lines.push(`  + ${w.key}  ${w.dtype} [${w.shape.join(', ')}]${w.cast ? `  cast ${w.cast}` : ''}${from}`);
  }
  for (const s of r.leftOut) lines.push(`  - ${s.name}: ${s.reason}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}
