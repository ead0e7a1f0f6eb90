/** `tfweights diff A B [--json] [--atol X] [--rtol Y]`: exit 0 when equal, 1 when different. */
import type { TensorInfo, TensorReader } from '@tfweights/core';
import { diffReaders, type DiffOptions, type DiffResult, readableName, formatNumber } from 'tfweights/cli';
import type { Io } from '../io.js';

export async function runDiff(a: TensorReader, b: TensorReader, opts: DiffOptions & { json?: boolean }, io: Io): Promise<number> {
  const r = await diffReaders(a, b, opts);
  io.out(opts.json ? JSON.stringify(diffJson(a, b, r), null, 2) + '\n' : diffText(a, b, r));
  return r.equal ? 0 : 1;
}

const info = (t: TensorInfo) => ({ key: t.key, name: readableName(t), dtype: t.dtype, shape: [...t.shape] });
const num = (v: number | undefined) => (v === undefined ? null : Number.isFinite(v) ? v : String(v));

export function diffJson(a: TensorReader, b: TensorReader, r: DiffResult): Record<string, unknown> {
  return {
    equal: r.equal,
    a: { source: a.source, format: a.format },
    b: { source: b.source, format: b.format },
    onlyA: r.onlyA.map(info),
    onlyB: r.onlyB.map(info),
    different: r.pairs.filter((p) => !p.equal).map((p) => ({
      name: p.name, keyA: p.a, keyB: p.b, problem: p.problem, dtypeA: p.dtypeA, dtypeB: p.dtypeB, shapeA: p.shapeA, shapeB: p.shapeB,
      maxAbs: num(p.maxAbs), maxRel: num(p.maxRel), mismatched: p.mismatched ?? null,
    })),
    compared: r.pairs.length,
    maxAbs: num(Math.max(0, ...r.pairs.map((p) => p.maxAbs ?? 0))),
    maxRel: num(Math.max(0, ...r.pairs.map((p) => p.maxRel ?? 0))),
    notes: r.setAside,
  };
}

export function diffText(a: TensorReader, b: TensorReader, r: DiffResult): string {
  const lines = [`A: ${a.source} (${a.format})`, `B: ${b.source} (${b.format})`];
  for (const t of r.onlyA) lines.push(`only in A: ${readableName(t)} ${t.dtype} [${t.shape.join(', ')}]`);
  for (const t of r.onlyB) lines.push(`only in B: ${readableName(t)} ${t.dtype} [${t.shape.join(', ')}]`);
  for (const p of r.pairs) {
    if (p.equal) continue;
    if (p.problem === 'shape') lines.push(`shape differs: ${p.name} [${p.shapeA.join(', ')}] vs [${p.shapeB.join(', ')}]`);
    else {
      const dt = p.dtypeA !== p.dtypeB ? ` dtype ${p.dtypeA} vs ${p.dtypeB};` : '';
      lines.push(`differs: ${p.name}:${dt} max abs ${formatNumber(p.maxAbs ?? NaN)}, max rel ${formatNumber(p.maxRel ?? NaN)}, ${p.mismatched ?? 0} element(s) outside tolerance`);
    }
  }
  for (const n of r.setAside) lines.push(`note: ${n}`);
  const maxAbs = Math.max(0, ...r.pairs.map((p) => p.maxAbs ?? 0));
  lines.push(r.equal
    ? `equal: ${r.pairs.length} tensors compared (max abs difference ${formatNumber(maxAbs)})`
    : `different: ${r.onlyA.length} only in A, ${r.onlyB.length} only in B, ${r.pairs.filter((p) => !p.equal).length} of ${r.pairs.length} compared differ`);
  return lines.join('\n') + '\n';
}
