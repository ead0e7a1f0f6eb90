/**
 * @tfweights/core: dtypes, tensors, byte sources and sinks, errors, CRC-32C, format
 * descriptors and the reader/writer contracts. Imports nothing Node-only; file access is in
 * `@tfweights/core/node`.
 */
export * from './errors.js';
export * from './dtype.js';
export * from './float16.js';
export * from './tensor.js';
export * from './crc32c.js';
export * from './byte-source.js';
export * from './blob-source.js';
export * from './http-source.js';
export * from './byte-sink.js';
export * from './sniff.js';
export * from './json-limits.js';
export * from './contracts.js';
export * from './zip/index.js';
export * from './remote/remote-error.js';
export { parseContentRange, type HttpRequestOptions } from './remote/http-range.js';
export { Limiter, limiterFor, DEFAULT_CONCURRENCY } from './remote/limiter.js';
export * from './remote/location-url.js';
