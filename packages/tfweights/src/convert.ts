/**
 * The conversion pipeline: open IN, choose what to write and under which names (filters,
 * rename rules, template match, casts), then stream tensors one at a time into the writer.
 * At most one tensor is held in memory; the writer is atomic, so a failure leaves no output.
 */
import { resolve } from 'node:path';
import type { TensorInfo, TensorReader } from '@tfweights/core';
import { refuseOverwritingInput } from '@tfweights/core/node';
import type { AdapterRegistry } from './formats/registry.js';
import { releaseMemory } from './release-memory.js';
import { openKerasConfigTemplate } from './formats/keras-config-template.js';
import type { TemplateMatch } from './mapping/template.js';
import { planConversion, plannedInfo, streamPlan, type ConvertOptions, type PlannedTensor } from './pipeline.js';

export { planConversion, plannedInfo, type ConvertOptions, type PlannedTensor } from './pipeline.js';

export interface ConvertResult {
  readonly input: string;
  readonly output: string;
  readonly from: string;
  readonly to: string;
  readonly written: readonly PlannedTensor[];
  readonly skipped: readonly TensorInfo[];
  /** Why each left-out tensor (by key) was left out, when the output format refused it. */
  readonly reasons: ReadonlyMap<string, string>;
  /** Bytes of tensor data read from the input (0 for a dry run). */
  readonly bytes: number;
  readonly match?: TemplateMatch;
}

/** Checkpoint prefixes may be typed with their `.index`; compare the prefixes. */
function samePathish(a: string): string {
  return resolve(a.replace(/\.index$/, '').replace(/\/+$/, ''));
}

/** Convert the file at `input` into `output` (format from `opts.to` or OUT's extension). */
export async function convert(registry: AdapterRegistry, input: string, output: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  refuseOverwritingInput(samePathish(output), [samePathish(input)]);
  const reader = await registry.open(input, opts.config !== undefined ? { config: opts.config } : {});
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
    if (opts.dryRun) return { input: reader.source, output, from: reader.format, to: adapter.id, bytes: 0, ...plan };
    const writer = await registry.create(output, adapter, {
      overwrite: Boolean(opts.force),
      source: reader,
      ...(template && opts.template ? { template, templatePath: opts.template } : {}),
      ...(opts.extra ? { extra: opts.extra } : {}),
      ...(opts.allowUncertainMatch ? { allowUncertainMatch: true } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      plan: plan.written.map(plannedInfo),
    });
    const bytes = await streamPlan(reader, writer, plan.written, opts, releaseMemory);
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

