/** The formats this CLI knows, asked in registration order; finds readers and writers for paths. */
import { describeContent, InvalidArgumentError, NotThisFormatError, type TensorReader } from '@tfweights/core';
import type { CreateOptions, FormatAdapter, PipelineWriter, Probe } from './adapter.js';
import { probePath } from './probe.js';

export class AdapterRegistry {
  private readonly adapters: FormatAdapter[] = [];

  register(adapter: FormatAdapter): this {
    const i = this.adapters.findIndex((a) => a.id === adapter.id);
    if (i >= 0) this.adapters[i] = adapter;
    else this.adapters.push(adapter);
    return this;
  }

  all(): readonly FormatAdapter[] {
    return this.adapters;
  }

  get(id: string): FormatAdapter | undefined {
    return this.adapters.find((a) => a.id === id);
  }

  /** Ids of formats that can be read / written, for help texts and errors. */
  readableIds(): string[] {
    return this.adapters.filter((a) => a.open).map((a) => a.id);
  }
  writableIds(): string[] {
    return this.adapters.filter((a) => a.create).map((a) => a.id);
  }

  /** The adapter that recognises a probe, or undefined. */
  detectProbe(probe: Probe): FormatAdapter | undefined {
    return this.adapters.find((a) => a.open && a.detect(probe));
  }

  /** Detect and open `path`; throws one clear error naming the file when nothing fits. */
  async open(path: string): Promise<TensorReader> {
    const probe = await probePath(path);
    const adapter = this.detectProbe(probe);
    if (!adapter?.open) throw new NotThisFormatError(`cannot read this: ${whatItIs(probe)}`, { file: path });
    return adapter.open(path);
  }

  /** The output format: `--to` when given, else OUT's extension (longest match wins). */
  outputAdapter(out: string, to?: string): FormatAdapter {
    if (to) {
      const a = this.get(to);
      if (!a?.create) {
        throw new InvalidArgumentError(`unknown output format '${to}' (writable: ${this.writableIds().join(', ')})`);
      }
      return a;
    }
    const lower = out.toLowerCase();
    let best: { a: FormatAdapter; len: number } | undefined;
    for (const a of this.adapters) {
      if (!a.create) continue;
      for (const ext of a.extensions) {
        if (lower.endsWith(ext) && (!best || ext.length > best.len)) best = { a, len: ext.length };
      }
    }
    if (!best) {
      throw new InvalidArgumentError(`cannot tell the output format from the name; pass --to (one of ${this.writableIds().join(', ')})`, { file: out });
    }
    return best.a;
  }

  /** Create a writer for OUT. */
  async create(out: string, adapter: FormatAdapter, opts: CreateOptions): Promise<PipelineWriter> {
    if (!adapter.create) throw new InvalidArgumentError(`format ${adapter.id} cannot be written`, { file: out });
    if (adapter.needsTemplate && !opts.templatePath) {
      throw new InvalidArgumentError(`writing ${adapter.title} needs --template (an existing one to copy the structure from)`, { file: out });
    }
    return adapter.create(out, opts);
  }
}

function whatItIs(probe: Probe): string {
  if (probe.kind === 'file' && probe.sniff) return `it is ${describeContent(probe.sniff)}`;
  if (probe.kind === 'directory') return 'a directory with no saved_model.pb, model.json, checkpoint or .npy files';
  if ((probe.siblings ?? []).length > 0) return `no such file (found ${probe.siblings!.slice(0, 3).join(', ')})`;
  return 'no such file or directory';
}
