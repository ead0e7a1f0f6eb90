/**
 * A tiny file format for testing the CLI machinery without any codec: a JSON file starting
 * with `{"tfwtest":1` that holds tensors as base64. Its reader counts reads so tests can check
 * that conversion holds one tensor at a time and lists without reading data.
 */
import { readFileSync } from 'node:fs';
import {
  makeStringTensor, makeTensor, startsWith, TensorNotFoundError, type LayerInfo, type Tensor, type TensorInfo, type TensorReader, type TensorRole,
} from '@tfweights/core';
import { createFileSink } from '@tfweights/core/node';
import { type FormatAdapter, type PipelineWriter, AdapterRegistry } from 'tfweights';

interface StoredTensor {
  key: string;
  name?: string;
  dtype: string;
  shape: number[];
  role?: TensorRole;
  layer?: string;
  data?: string;
  strings?: string[];
}
interface StoredFile {
  tfwtest: 1;
  layers?: LayerInfo[];
  tensors: StoredTensor[];
}

export const stats = { reads: 0, maxLive: 0 };

function decode(s: StoredTensor): Tensor {
  const opts = { ...(s.name ? { name: s.name } : {}), ...(s.role ? { role: s.role } : {}), ...(s.layer ? { layer: s.layer } : {}) };
  if (s.dtype === 'string') return makeStringTensor(s.key, s.shape, (s.strings ?? []).map((b) => new Uint8Array(Buffer.from(b, 'base64'))), opts);
  return makeTensor(s.key, s.dtype as Tensor['dtype'], s.shape, new Uint8Array(Buffer.from(s.data ?? '', 'base64')), opts);
}

export function encode(t: Tensor): StoredTensor {
  return {
    key: t.key, name: t.name, dtype: t.dtype, shape: [...t.shape],
    ...(t.role ? { role: t.role } : {}), ...(t.layer ? { layer: t.layer } : {}),
    ...(t.dtype === 'string' ? { strings: (t.strings ?? []).map((b) => Buffer.from(b).toString('base64')) } : { data: Buffer.from(t.data).toString('base64') }),
  };
}

/** Serialise tensors as a test-format file body. */
export function testFile(tensors: readonly Tensor[], layers?: LayerInfo[]): string {
  return JSON.stringify({ tfwtest: 1, ...(layers ? { layers } : {}), tensors: tensors.map(encode) } satisfies StoredFile);
}

class TestReader implements TensorReader {
  readonly format = 'tfwtest';
  private readonly infos: TensorInfo[];
  constructor(readonly source: string, private readonly file: StoredFile) {
    this.infos = file.tensors.map((s) => {
      const t = decode(s);
      const { data: _d, strings: _s, ...info } = t;
      return info;
    });
  }
  list(): readonly TensorInfo[] {
    return this.infos;
  }
  layers(): readonly LayerInfo[] {
    return this.file.layers ?? [];
  }
  async read(key: string): Promise<Tensor> {
    const s = this.file.tensors.find((t) => t.key === key);
    if (!s) throw new TensorNotFoundError(key, this.infos.map((t) => t.key), { file: this.source });
    stats.reads++;
    return decode(s);
  }
  async *tensors(): AsyncIterable<Tensor> {
    for (const s of this.file.tensors) {
      stats.reads++;
      yield decode(s);
    }
  }
  async close(): Promise<void> {}
}

export const testAdapter: FormatAdapter = {
  id: 'tfwtest',
  title: 'test format',
  extensions: ['.tfwtest'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && startsWith(p.sniff.head, '{"tfwtest":1'),
  async open(path) {
    return new TestReader(path, JSON.parse(readFileSync(path, 'utf8')) as StoredFile);
  },
  async create(path, opts): Promise<PipelineWriter> {
    const sink = await createFileSink(path, { overwrite: opts.overwrite });
    const out: StoredTensor[] = [];
    return {
      async write(t) {
        out.push(encode(t));
      },
      async finish() {
        await sink.write(new TextEncoder().encode(JSON.stringify({ tfwtest: 1, tensors: out })));
        await sink.finish();
      },
      async abort() {
        await sink.abort();
      },
    };
  },
};

/** A second test format whose writer wants a fixed order (like safetensors). */
export const orderedAdapter: FormatAdapter = {
  ...testAdapter,
  id: 'tfwordered',
  title: 'ordered test format',
  extensions: ['.tfwordered'],
  detect: () => false,
  async create(path, opts) {
    const inner = await testAdapter.create!(path, opts);
    const order = [...opts.plan.map((t) => t.key)].sort();
    let next = 0;
    return {
      order,
      async write(t) {
        if (t.key !== order[next]) throw new Error(`out of order: ${t.key}, wanted ${order[next]}`);
        next++;
        await inner.write(t);
      },
      finish: () => inner.finish(),
      abort: () => inner.abort(),
    };
  },
};

export function testRegistry(): AdapterRegistry {
  return new AdapterRegistry().register(testAdapter).register(orderedAdapter);
}
