/** One-line renderings of signatures, for CLIs and error messages. */
import type { ShapeSpec, SignatureInfo, SignatureTensor } from './types.js';

function shapeText(s: ShapeSpec): string {
  return s === null ? '[?…]' : `[${s.map((d) => (d < 0 ? '?' : String(d))).join(', ')}]`;
}

function tensorText(t: SignatureTensor): string {
  return `${t.key}: ${t.dtype ?? 'invalid'}${shapeText(t.shape)}`;
}

/** e.g. `serving_default(x: float32[?, 1]) -> (y: float32[?, 1])  [tensorflow/serving/predict]`. */
export function describeSignature(s: SignatureInfo): string {
  const method = s.methodName ? `  [${s.methodName}]` : '';
  return `${s.key}(${s.inputs.map(tensorText).join(', ')}) -> (${s.outputs.map(tensorText).join(', ')})${method}`;
}
