/** The formats this CLI knows, asked in registration order; finds readers and writers for paths. */
import { describeContent, InvalidArgumentError, nearestNames, NotThisFormatError, type TensorReader } from '@tfweights/core';
import type { CreateOptions, FormatAdapter, OpenOptions, PipelineWriter, Probe } from './adapter.js';
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
  async open(path: string, opts: OpenOptions = {}): Promise<TensorReader> {
    const probe = await probePath(path);
    const adapter = this.detectProbe(probe);
    if (!adapter?.open) throw new NotThisFormatError(`cannot read this: ${whatItIs(probe)}`, { file: path });
    if (opts.config !== undefined && !adapter.id.startsWith('keras')) {
      throw new InvalidArgumentError(`a model config names the variables of Keras files only; this is ${adapter.title}`, { file: path });
    }
    return opts.config !== undefined ? adapter.open(path, opts) : adapter.open(path);
  }

  /**
   * The output format: `--to` when given, else OUT's extension (longest match wins); an existing
   * directory named without its trailing `/` is a folder output. `--to` naming one format while
   * OUT's extension names another is refused (`--to safetensors out.npz`).
   */
  outputAdapter(out: string, to?: string): FormatAdapter {
    const byName = this.byExtension(out) ?? (isDirectory(out) ? this.byExtension(out + '/') : undefined);
    if (to) {
      const a = this.get(to);
      if (!a?.create) {
        throw new InvalidArgumentError(`unknown output format '${to}' (writable: ${this.writableIds().join(', ')})`);
      }
      if (byName && byName.a !== a && byName.ext !== '/' && !a.namedByPrefix) {
        throw new InvalidArgumentError(`--to ${to} conflicts with the name, whose '${byName.ext}' means ${byName.a.id}: rename the output or drop --to`, { file: out });
      }
      return a;
    }
    const best = byName;
    if (!best) {
      throw new InvalidArgumentError(`cannot tell the output format from the name; pass --to (one of ${this.writableIds().join(', ')})`, { file: out });
    }
    return best.a;
  }

  /** The writable format OUT's name ends with (longest extension wins). */
  private byExtension(out: string): { a: FormatAdapter; ext: string } | undefined {
    const lower = out.toLowerCase();
    let best: { a: FormatAdapter; ext: string } | undefined;
    for (const a of this.adapters) {
      if (!a.create) continue;
      for (const ext of a.extensions) {
        if (lower.endsWith(ext) && (!best || ext.length > best.ext.length)) best = { a, ext };
      }
    }
    return best;
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
  const nearby = nearestNames(basename(probe.path), probe.listing ?? []);
  if (nearby.length > 0) return `no such file or directory; did you mean ${nearby.map((n) => `'${join(dirname(probe.path), n)}'`).join(' or ')}?`;
  return 'no such file or directory';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
