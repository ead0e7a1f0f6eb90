/** h5wasm's Node build (host files through Emscripten NODERAWFS), loaded once. */
import h5wasm from 'h5wasm/node';
import type { H5Api } from '../h5-api.js';

let api: Promise<H5Api> | undefined;

/** The ready h5wasm module for Node. */
export function nodeH5Api(): Promise<H5Api> {
  api ??= h5wasm.ready.then((module) => ({ h5: h5wasm, module }));
  return api;
}
