import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  CorruptDataError, InvalidArgumentError, LimitExceededError, makeTensor, MemorySource, sniffInputOf, toFloat64,
  UnsupportedDtypeError, bytesOf, isTfwError,
} from '@tfweights/core';
import { seededRandom } from '@tfweights/testkit';
import {
  MemoryTfjsOutput, TfjsCollectingWriter, TfjsReader, TfjsWriter, tfjsFormat, writeTfjs, serializeModelJson, quantize, dequantize,
} from '../src/codec.js';
import { f32, i32, mixedTensors, roundTrip } from './helpers.js';

describe('tfjs writer and reader', () => {
  it('round-trips every tfjs dtype across shard boundaries, one read per shard touched', async () => {
    const tensors = mixedTensors();
    const { out, reader, reads } = await roundTrip(tensors, { shardSize: 64, modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 's', layers: [] } } } });
    const total = 35 * 4 + 5 * 4 + 5 * 4 + 3 + 16 + (4 * 4 + 6 + 0 + 2 + 7) + 4;
    const m = Math.ceil(total / 64);
    const paths = Array.from({ length: m }, (_, k) => `group1-shard${k + 1}of${m}.bin`);
    expect([...out.files.keys()].sort()).toEqual([...paths, 'model.json'].sort());
    for (const [k, p] of paths.entries()) expect(out.files.get(p)!.byteLength).toBe(k < m - 1 ? 64 : total - 64 * (m - 1));
    // open() read nothing but the string weight's length prefixes (one chunked read from its start).
    expect(reads).toEqual([`group1-shard4of4.bin@7+35`]);
    for (const t of tensors) {
      reads.length = 0;
      const back = await reader.read(t.key);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      if (t.dtype === 'string') expect(back.strings!.map((s) => new TextDecoder().decode(s))).toEqual(['héllo', '', 'tf', 'weights']);
      else expect(Array.from(back.data)).toEqual(Array.from(t.data));
    }
    reads.length = 0;
    await reader.read('dense/kernel'); // bytes 0..140 → shards 1, 2 and 3
    expect(reads).toEqual(['group1-shard1of' + m + '.bin@0+64', `group1-shard2of${m}.bin@0+64`, `group1-shard3of${m}.bin@0+12`]);
  });

  it('lists without touching shards when there are no string weights', async () => {
    const { reader, reads } = await roundTrip([f32('a/w', [10], 1), i32('a/i', [1, 2])], { shardSize: 16 });
    expect(reader.list().map((i) => [i.key, i.dtype, i.shape, i.byteLength])).toEqual([['a/w', 'float32', [10], 40], ['a/i', 'int32', [2], 8]]);
    expect(reads).toEqual([]);
    await reader.read('a/i');
    expect(reads).toEqual(['group1-shard3of3.bin@8+8']);
  });

  it('writes model.json keys in the converter order with json.dumps separators', async () => {
    const { out } = await roundTrip([f32('a/w', [2], 1)], { generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: { x: 1 }, extra: { userDefinedMetadata: { a: 'é' } } });
    const text = new TextDecoder().decode(out.files.get('model.json'));
    expect(text).toBe('{"format": "layers-model", "generatedBy": "keras v2.15.0", "convertedBy": "TensorFlow.js Converter v4.22.0", "userDefinedMetadata": {"a": "\\u00e9"}, "modelTopology": {"x": 1}, '
      + '"weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": [{"name": "a/w", "shape": [2], "dtype": "float32"}]}]}');
    expect(serializeModelJson({ weightsManifest: [], modelTopology: null, format: 'graph-model' })).toBe('{"format": "graph-model", "modelTopology": null, "weightsManifest": []}');
  });

  it('tfjs-core decodes what we write (an independent reader)', async () => {
    const tensors = mixedTensors();
    const { out, reader } = await roundTrip(tensors, { shardSize: 50 });
    const model = reader.model;
    const shards = model.weightsManifest[0]!.paths.map((p) => out.files.get(p)!);
    const decoded = tf.io.decodeWeights(tf.io.concatenateArrayBuffers(shards.map((s) => s.slice().buffer)), model.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[]);
    expect(Object.keys(decoded)).toEqual(tensors.map((t) => t.key));
    expect(Array.from(decoded['dense/kernel']!.dataSync())).toEqual(Array.from(toFloat64(tensors[0]!), Math.fround));
    expect(Array.from(decoded['lookup/ids']!.dataSync())).toEqual([1, -2, 3, 2147483647, -2147483648]);
    expect(Array.from(decoded['mask/m']!.dataSync())).toEqual([1, 0, 1]);
    expect(Array.from(tf.real(decoded['fft/c']!).dataSync())).toEqual([1, 2.5]);
    expect(decoded['vocab/words']!.dataSync()).toEqual(['héllo', '', 'tf', 'weights']);
    tf.dispose(Object.values(decoded));
  });

  it('quantizes on request and decodes like tfjs-core', async () => {
    const w = f32('q/w', [300], 4);
    const orig = toFloat64(w);
    for (const q of ['uint8', 'uint16', 'float16'] as const) {
      const { out, reader } = await roundTrip([w, i32('q/i', [1, 2])], { quantize: q });
      const entry = reader.model.weightsManifest[0]!.weights[0]!;
      expect(entry.quantization?.dtype).toBe(q);
      expect(Object.keys(entry.quantization!)).toEqual(q === 'float16' ? ['dtype', 'original_dtype'] : ['dtype', 'min', 'scale', 'original_dtype']);
      expect(reader.model.weightsManifest[0]!.weights[1]!.quantization).toBeUndefined(); // int32 is not quantized
      const back = toFloat64(await reader.read('q/w'));
      const tol = q === 'uint8' ? 2 / 255 : q === 'uint16' ? 2 / 65535 : 1e-3;
      back.forEach((v, i) => expect(Math.abs(v - orig[i]!)).toBeLessThanOrEqual(tol));
      // tfjs-core's own decoder gives the very same float32 values.
      const decoded = tf.io.decodeWeights(out.files.get('group1-shard1of1.bin')!.slice().buffer, reader.model.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[]);
      expect(Array.from(decoded['q/w']!.dataSync())).toEqual(Array.from(back));
      tf.dispose(Object.values(decoded));
    }
  });

  it('quantization nudges zero to an exact value and handles constant tensors', () => {
    const v = new Float32Array([-1, 0, 0.3, 2]);
    const { bytes, quantization } = quantize(v, 'uint8');
    expect(toFloat64({ key: 'x', dtype: 'float32', data: dequantize(bytes, quantization, 'float32') })[1]).toBe(0);
    const c = quantize(new Float32Array([3, 3]), 'uint16');
    expect(c.quantization).toEqual({ dtype: 'uint16', min: 3, scale: 1, original_dtype: 'float32' });
    expect(Array.from(dequantize(c.bytes, c.quantization, 'int32'))).toEqual([3, 0, 0, 0, 3, 0, 0, 0]);
  });

  it('refuses dtypes tfjs cannot store unless a conversion is asked for', async () => {
    const i64 = makeTensor('a/i', 'int64', [2], bytesOf(new BigInt64Array([5n, -7n])));
    const big = makeTensor('a/b', 'int64', [1], bytesOf(new BigInt64Array([2n ** 40n])));
    const f64 = makeTensor('a/d', 'float64', [1], bytesOf(new Float64Array([0.1])));
    const u8 = makeTensor('a/u', 'uint8', [2], new Uint8Array([200, 3]));
    const f16 = makeTensor('a/h', 'float16', [1], bytesOf(new Uint16Array([0x3c00])));
    for (const t of [i64, f64, u8, f16]) await expect(writeTfjs(new MemoryTfjsOutput(), [t])).rejects.toBeInstanceOf(UnsupportedDtypeError);
    await expect(writeTfjs(new MemoryTfjsOutput(), [u8], { downcast: true })).rejects.toThrow(/widen: true/);
    await expect(writeTfjs(new MemoryTfjsOutput(), [big], { downcast: true })).rejects.toBeInstanceOf(LimitExceededError);
    const { reader } = await roundTrip([i64, f64, u8, f16], { downcast: true, widen: true });
    expect(reader.list().map((i) => i.dtype)).toEqual(['int32', 'float32', 'int32', 'float32']);
    expect(Array.from(toFloat64(await reader.read('a/i')))).toEqual([5, -7]);
    expect(toFloat64(await reader.read('a/d'))[0]).toBe(Math.fround(0.1));
    expect(Array.from(toFloat64(await reader.read('a/u')))).toEqual([200, 3]);
    expect(toFloat64(await reader.read('a/h'))[0]).toBe(1);
  });

  it('streams in plan order, buffers early tensors, refuses mismatches and missing tensors', async () => {
    const ts = [f32('a/w', [3], 1), f32('b/w', [2], 2)];
    const out = new MemoryTfjsOutput();
    const w = await TfjsWriter.create(out, ts, { shardSize: 4 });
    await w.write(ts[1]!);
    await expect(w.write(f32('a/w', [4], 1))).rejects.toBeInstanceOf(InvalidArgumentError);
    await w.write(ts[0]!);
    await w.finish();
    expect(out.files.size).toBe(6);

    const out2 = new MemoryTfjsOutput();
    const w2 = await TfjsWriter.create(out2, ts);
    await w2.write(ts[0]!);
    await expect(w2.finish()).rejects.toThrow(/never written: b\/w/);
    expect(out2.files.size).toBe(0);

    const out3 = new MemoryTfjsOutput();
    const c = new TfjsCollectingWriter(out3, { shardSize: 8 });
    for (const t of ts) await c.write(t);
    await c.finish();
    expect([...out3.files.keys()].sort()).toEqual(['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin', 'model.json']);
  });

  it('writes a model with no weights as an empty group', async () => {
    const { reader, out } = await roundTrip([]);
    expect(reader.list()).toEqual([]);
    expect(reader.model.weightsManifest).toEqual([{ paths: [], weights: [] }]);
    expect(out.files.size).toBe(1);
  });
});

describe('tfjs reader on bad input', () => {
  const enc = new TextEncoder();
  const open = (json: unknown, shard = new Uint8Array(8)) => TfjsReader.open(typeof json === 'string' ? json : JSON.stringify(json), {
    name: 'bad/model.json', resolve: async (p) => new MemorySource(shard, p),
  });
  const group = (weights: unknown[]) => ({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights }] });

  it('gives typed errors naming the file and entry', async () => {
    await expect(open('{"modelTopology": ')).rejects.toBeInstanceOf(CorruptDataError);
    await expect(open({ modelTopology: {} })).rejects.toThrow(/no weightsManifest/);
    await expect(open(group([{ name: 'x', shape: [2], dtype: 'float128' }]))).rejects.toBeInstanceOf(UnsupportedDtypeError);
    await expect(open(group([{ name: 'x', shape: [-1], dtype: 'float32' }]))).rejects.toThrow(/shape/);
    await expect(open(group([{ name: 'x', shape: [2], dtype: 'float32' }, { name: 'x', shape: [2], dtype: 'float32' }]))).rejects.toThrow(/same name/);
    await expect(open(group([{ name: 'x', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8' } }]))).rejects.toThrow(/min and scale/);
    await expect(open(group([{ name: 'x', shape: [2], dtype: 'int32', quantization: { dtype: 'float16' } }]))).rejects.toBeInstanceOf(UnsupportedDtypeError);
    await expect(open({ weightsManifest: [{ paths: [], weights: [{ name: 'x', shape: [1], dtype: 'float32' }] }] })).rejects.toThrow(/no shard paths/);
    const r = await open(group([{ name: 'x', shape: [2], dtype: 'float32' }, { name: 'y', shape: [3], dtype: 'float32' }]));
    const err = await r.read('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptDataError);
    expect(String(err)).toMatch(/w\.bin.*shorter than the weights manifest.*20 bytes/);
    // A string whose length prefix points past the shards.
    const s = new Uint8Array(8);
    new DataView(s.buffer).setUint32(0, 1000, true);
    await expect(open(group([{ name: 's', shape: [1], dtype: 'string' }]), s)).rejects.toThrow(/past the end/);
    void enc;
  });

  it('never throws anything but typed errors on random manifests and shards', async () => {
    const rnd = seededRandom(7);
    const dtypes = ['float32', 'int32', 'bool', 'string', 'complex64'];
    for (let round = 0; round < 200; round++) {
      const weights = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, i) => ({
        name: `w${i}`, shape: [Math.floor(rnd() * 5)], dtype: dtypes[Math.floor(rnd() * dtypes.length)],
        ...(rnd() < 0.2 ? { quantization: { dtype: 'uint8', min: 0, scale: 1 } } : {}),
      }));
      const shard = new Uint8Array(Math.floor(rnd() * 40)).map(() => Math.floor(rnd() * (rnd() < 0.5 ? 4 : 256)));
      try {
        const r = await open(group(weights), shard);
        for await (const _ of r.tensors()) void _;
      } catch (e) {
        if (!isTfwError(e)) throw e;
      }
    }
  });
});

describe('tfjs reader on hand-made manifests', () => {
  it('reads several groups, extension-less shard names and unquantized float16 (which the converter may write)', async () => {
    const g1 = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const g2 = new Uint8Array([...new Uint8Array(new Uint16Array([0x3c00, 0x4000]).buffer), 9, 9, 9, 9]);
    const files: Record<string, Uint8Array> = { 'group1-shard1of2': g1.subarray(0, 5), 'group1-shard2of2': g1.subarray(5), 'group2-shard1of1': g2 };
    const model = { modelTopology: null, weightsManifest: [
      { paths: ['group1-shard1of2', 'group1-shard2of2'], weights: [{ name: 'a', shape: [3], dtype: 'float32' }] },
      { paths: ['group2-shard1of1'], weights: [{ name: 'h', shape: [2], dtype: 'float16' }, { name: 'i', shape: [1], dtype: 'int32', group: 'optimizer' }] },
    ] };
    const r = await TfjsReader.open(JSON.stringify(model), { resolve: async (p) => new MemorySource(files[p]!, p) });
    expect(Array.from(toFloat64(await r.read('a')))).toEqual([1, 2, 3]);
    expect(Array.from(toFloat64(await r.read('h')))).toEqual([1, 2]);
    const i = await r.read('i');
    expect([i.role, toFloat64(i)[0]]).toEqual(['optimizer', 0x09090909]);
  });
});

describe('tfjs format descriptor', () => {
  it('sniffs model.json and not other JSON', async () => {
    const yes = new TextEncoder().encode('{"modelTopology": {"class_name": "Sequential"}, "weightsManifest": []}');
    const no = new TextEncoder().encode('{"name": "package", "version": "1.0.0"}');
    expect(tfjsFormat.sniff(await sniffInputOf(new MemorySource(yes)))).toBe(true);
    expect(tfjsFormat.sniff(await sniffInputOf(new MemorySource(no)))).toBe(false);
  });
});
