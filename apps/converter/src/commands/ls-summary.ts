/** Parameter counts (elements, as Keras's model.summary() counts them) and the `ls --tree` view. */
import type { TensorInfo, TensorReader } from '@tfweights/core';
import { readableName } from 'tfweights/cli';

/**
 * `1234567` → `1,234,567`. Not toLocaleString('en-US'): its first call loads ICU's locale data,
 * about 45 ms of CPU, half of what Node itself needs to start.
 */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Number of elements of a tensor (a scalar is 1). */
export function paramCount(t: TensorInfo): number {
  return t.shape.reduce((n, d) => n * d, 1);
}

/** Totals by role: model weights, optimizer state, the rest (bookkeeping, metadata). */
export function paramTotals(infos: readonly TensorInfo[]): { weights: number; optimizer: number; other: number } {
  const totals = { weights: 0, optimizer: 0, other: 0 };
  for (const t of infos) {
    const role = t.role ?? 'weight';
    totals[role === 'weight' ? 'weights' : role === 'optimizer' ? 'optimizer' : 'other'] += paramCount(t);
  }
  return totals;
}

interface Node {
  children: Map<string, Node>;
  tensor?: TensorInfo;
}

/** Readable names as a tree of `/` segments, each tensor with dtype, shape and parameters. */
export function treeText(reader: TensorReader): string {
  const root: Node = { children: new Map() };
  for (const t of reader.list()) {
    let node = root;
    for (const part of readableName(t).split('/')) {
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = { children: new Map() }));
      node = next;
    }
    node.tensor = t;
  }
  const lines = [`${reader.source}: ${reader.format}`];
  const total = (n: Node): number => (n.tensor ? paramCount(n.tensor) : 0) + [...n.children.values()].reduce((s, c) => s + total(c), 0);
  const walk = (n: Node, indent: string) => {
    const entries = [...n.children];
    entries.forEach(([name, child], i) => {
      const last = i === entries.length - 1;
      const t = child.tensor;
      const what = t ? `  ${t.dtype} [${t.shape.join(', ')}]${t.role && t.role !== 'weight' ? `  [${t.role}]` : ''}` : `  (${groupDigits(total(child))} params)`;
      lines.push(`${indent}${last ? '└── ' : '├── '}${name}${what}`);
      walk(child, indent + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return lines.join('\n') + '\n';
}
