/**
 * A `.keras` archive from a finished `model.weights.h5`: stored members metadata.json,
 * config.json, model.weights.h5, in that order (Keras 3 saving_lib), streamed into any
 * ByteSink. Node writes it to a temporary file renamed into place (`node/write.ts`); the web
 * app into a download or a file the user picked, the weights read back from h5wasm's memory.
 */
import { ZipWriter, type ByteSink, type ByteSource } from '@tfweights/core';

/** What goes beside the weights. */
export interface ArchiveContent {
  /** config.json content (object or JSON text). Default: a minimal Sequential listing, enough for `load_weights`. */
  config?: unknown;
  /** metadata.json content. Default: `{"keras_version": kerasVersion, "date_saved": now}`. */
  metadata?: unknown;
  /** keras_version for the default metadata.json (default `3.10.0`). */
  kerasVersion?: string;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `json.dumps` with Python's default separators, for small flat objects. */
function pythonJson(v: unknown): string {
  return JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').replace(/\{ /g, '{').replace(/ \}/g, '}');
}

function defaultConfig(layers: readonly { name: string; className?: string }[]): unknown {
  return {
    module: 'keras', class_name: 'Sequential', registered_name: null,
    config: { name: 'sequential', layers: layers.map((l) => ({ class_name: l.className ?? 'Layer', config: { name: l.name } })) },
  };
}

/**
 * Zip `weights` (a finished `model.weights.h5`, read in slices) with metadata.json and
 * config.json into `sink`, and finish it; on failure the sink is aborted.
 */
export async function zipKerasArchive(sink: ByteSink, weights: ByteSource, layers: readonly { name: string; className?: string }[], opts: ArchiveContent = {}): Promise<void> {
  const d = new Date();
  const metadata = opts.metadata ?? {
    keras_version: opts.kerasVersion ?? '3.10.0',
    date_saved: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}@${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
  };
  const enc = new TextEncoder();
  const toText = (v: unknown): string => (typeof v === 'string' ? v : pythonJson(v));
  const zip = new ZipWriter(sink);
  try {
    await zip.addBytes('metadata.json', enc.encode(toText(metadata)));
    await zip.addBytes('config.json', enc.encode(typeof opts.config === 'string' ? opts.config : JSON.stringify(opts.config ?? defaultConfig(layers))));
    await zip.addSource('model.weights.h5', weights);
    await zip.finish();
  } catch (err) {
    await zip.abort().catch(() => undefined);
    throw err;
  }
}
