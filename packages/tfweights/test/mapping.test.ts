import { describe, expect, it } from 'vitest';
import { makeTensor, toFloat64, typedValues, type TensorInfo } from '@tfweights/core';
import { castTensor, parseCasts } from '../src/mapping/cast.js';
import { globToRegExp, makeFilter } from '../src/mapping/glob.js';
import { matchForm, normaliseName, readableName } from '../src/mapping/normalise.js';
import { applyRenames, parseRenameArgs, parseRuleText, rulesFromJson } from '../src/mapping/rename.js';
import { matchTemplate, templateReport } from '../src/mapping/template.js';

const info = (key: string, shape: number[], extra: Partial<TensorInfo> = {}): TensorInfo =>
  ({ key, name: key, dtype: 'float32', shape, byteLength: 4 * shape.reduce((a, b) => a * b, 1), ...extra });

describe('normaliseName', () => {
  it('strips :0, /.ATTRIBUTES/VARIABLE_VALUE and a leading slash', () => {
    expect(normaliseName('dense/kernel:0')).toBe('dense/kernel');
    expect(normaliseName('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE')).toBe('layer_with_weights-0/kernel');
    expect(normaliseName('/a/b')).toBe('a/b');
    expect(normaliseName('x:12')).toBe('x');
    expect(normaliseName('a:b/c')).toBe('a:b/c');
  });
  it('readableName prefers the reader name', () => {
    expect(readableName({ key: 'layers/dense/vars/0', name: 'dense/kernel' })).toBe('dense/kernel');
    expect(readableName({ key: 'k', name: '' })).toBe('k');
  });
  it('matchForm collapses Keras legacy layer/layer and model_weights/', () => {
    expect(matchForm('model_weights/Dense_1/Dense_1/kernel:0')).toBe('dense_1/kernel');
    expect(matchForm('Dense_1/kernel')).toBe('dense_1/kernel');
    expect(matchForm('a/a')).toBe('a');
    expect(matchForm('a/b')).toBe('a/b');
  });
});

describe('globs', () => {
  it('* stays in a segment, ** crosses', () => {
    expect(globToRegExp('dense*/kernel').test('dense_1/kernel')).toBe(true);
    expect(globToRegExp('dense*').test('dense_1/kernel')).toBe(false);
    expect(globToRegExp('dense*/**').test('dense_1/kernel')).toBe(true);
    expect(globToRegExp('**/bias').test('bias')).toBe(true);
    expect(globToRegExp('**/bias').test('a/b/bias')).toBe(true);
    expect(globToRegExp('{conv,dense}?/*').test('conv1/kernel')).toBe(true);
    expect(globToRegExp('[cd]ense/x.y').test('dense/x.y')).toBe(true);
    expect(globToRegExp('dense/x.y').test('dense/xzy')).toBe(false);
  });
  it('filters on name or key, include then exclude, then optimizer role', () => {
    const a = info('model/dense/kernel:0', [2], { name: 'dense/kernel' });
    const b = info('opt/m', [2], { role: 'optimizer' });
    const f = makeFilter({ include: ['dense/*', 'opt/*'], exclude: ['**/bias'], dropOptimizer: true });
    expect(f(a)).toBe(true);
    expect(f(b)).toBe(false);
    expect(makeFilter({ exclude: ['model/**'] })(a)).toBe(false);
    expect(makeFilter({})(b)).toBe(true);
  });
  it('rejects an unclosed brace', () => {
    expect(() => globToRegExp('{a,b')).toThrow(/unclosed/);
  });
});

describe('rename rules', () => {
  it('parses old=new with an escaped =', () => {
    const r = parseRuleText('^a\\=b=c');
    expect(applyRenames('a=bx', [r])).toBe('cx');
  });
  it('applies rules in order with capture groups', () => {
    const rules = [parseRuleText('^dense_(\\d+)=fc$1'), parseRuleText('kernel$=weight')];
    expect(applyRenames('dense_3/kernel', rules)).toBe('fc3/weight');
  });
  it('reads every JSON shape and rejects others', () => {
    expect(rulesFromJson({ a: 'b' }, 'f.json')[0]!.text).toBe('a=b');
    expect(rulesFromJson([['a', 'b']], 'f.json')).toHaveLength(1);
    expect(rulesFromJson([{ from: 'a', to: 'b' }], 'f.json')).toHaveLength(1);
    expect(() => rulesFromJson([1], 'f.json')).toThrow(/rename rules/);
    expect(() => parseRuleText('noequals')).toThrow(/old=new/);
    expect(() => parseRuleText('(=x')).toThrow(/bad --rename/);
    expect(() => parseRenameArgs(['/nonexistent/rules.json'])).toThrow(/rules.json/);
  });
});

describe('cast', () => {
  it('parses FROM:TO lists and rejects unknown dtypes', () => {
    const m = parseCasts(['float16:float32,int64:int32']);
    expect(m.get('float16')).toBe('float32');
    expect(m.get('int64')).toBe('int32');
    expect(() => parseCasts(['float16'])).toThrow(/FROM:TO/);
    expect(() => parseCasts(['string:float32'])).toThrow(/cannot cast/);
  });
  it('casts float32 to float16 and back, rounding to nearest', () => {
    const t = makeTensor('x', 'float32', [3], new Uint8Array(new Float32Array([1, 0.1, -2.5]).buffer));
    const h = castTensor(t, 'float16');
    expect(h.dtype).toBe('float16');
    expect(h.byteLength).toBe(6);
    expect(Array.from(typedValues(h) as Uint16Array)).toEqual([0x3c00, 0x2e66, 0xc100]);
    expect(Array.from(toFloat64(castTensor(h, 'float32')))).toEqual([1, 0.0999755859375, -2.5]);
  });
  it('refuses integers out of range instead of wrapping', () => {
    const t = makeTensor('n', 'int64', [2], new Uint8Array(new BigInt64Array([1n, 3000000000n]).buffer));
    expect(() => castTensor(t, 'int32')).toThrow(/cannot hold/);
    expect(Array.from(typedValues(castTensor(t, 'float64')) as Float64Array)).toEqual([1, 3000000000]);
  });
});

describe('template matching', () => {
  it('matches by name first, then by order and shape, and reports the rest', () => {
    const src = [info('a/kernel', [2, 3]), info('x1', [3]), info('x2', [4]), info('extra', [9])];
    const tpl = [info('a/a/kernel:0', [2, 3]), info('b/b/bias:0', [3]), info('c/c/bias:0', [4]), info('d/d/bias:0', [5])];
    const m = matchTemplate(src, tpl);
    expect(m.pairs.map((p) => [p.source.key, p.target.key, p.how])).toEqual([
      ['a/kernel', 'a/a/kernel:0', 'name'], ['x1', 'b/b/bias:0', 'order'], ['x2', 'c/c/bias:0', 'order'],
    ]);
    expect(m.unmatchedSource.map((t) => t.key)).toEqual(['extra']);
    expect(m.unmatchedTarget.map((t) => t.key)).toEqual(['d/d/bias:0']);
    const report = templateReport(m).join('\n');
    expect(report).toMatch(/3 matched \(1 by name, 2 by order and shape\)/);
    expect(report).toMatch(/- extra \[9\]/);
  });
  it('does not match a name whose shape differs, and respects order', () => {
    const src = [info('k', [2]), info('j', [2])];
    const tpl = [info('k', [3]), info('t1', [2]), info('t2', [2])];
    const m = matchTemplate(src, tpl);
    expect(m.pairs.map((p) => [p.source.key, p.target.key])).toEqual([['k', 't1'], ['j', 't2']]);
  });
});
