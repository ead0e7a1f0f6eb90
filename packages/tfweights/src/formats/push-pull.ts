/**
 * Codecs whose writers consume an (async) iterable (`writeCheckpoint(prefix, tensors)`) are
 * driven here by the pipeline's push-style `write(tensor)`: each write hands one tensor over
 * and resolves once the consumer asks for the next, so only one tensor is in flight.
 * `abort()` makes the consumer's loop throw, so it removes its temporary files.
 */
import { IoError, type Tensor } from '@tfweights/core';
import type { PipelineWriter } from './adapter.js';

interface Waiter {
  resolve: (r: IteratorResult<Tensor>) => void;
  reject: (err: unknown) => void;
}

export function pushToPull(consume: (tensors: AsyncIterable<Tensor>) => Promise<unknown>, label = 'output'): PipelineWriter {
  let waiting: Waiter | undefined; // the consumer, waiting for a tensor
  let offered: { t: Tensor; taken: () => void } | undefined; // a tensor, waiting for the consumer
  let handed: (() => void) | undefined; // resolves the last write once the consumer comes back
  let ended = false;
  let aborted: unknown;
  let consumerError: unknown;
  let consumerDone = false;

  const iterable: AsyncIterable<Tensor> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        handed?.();
        handed = undefined;
        if (aborted !== undefined) return Promise.reject(aborted);
        if (offered) {
          const o = offered;
          offered = undefined;
          handed = o.taken;
          return Promise.resolve({ value: o.t, done: false });
        }
        if (ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise<IteratorResult<Tensor>>((resolve, reject) => { waiting = { resolve, reject }; });
      },
    }),
  };

  const done = consume(iterable).then(
    () => { consumerDone = true; },
    (err) => { consumerDone = true; consumerError = err; },
  ).finally(() => {
    // Never leave a write hanging on a consumer that stopped.
    handed?.();
    offered?.taken();
  });

  const check = () => {
    if (consumerError !== undefined) throw consumerError;
    if (aborted !== undefined) throw aborted;
  };

  return {
    async write(t) {
      check();
      if (consumerDone || ended) throw new IoError('write after the writer finished', { file: label });
      await new Promise<void>((taken) => {
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          handed = taken;
          w.resolve({ value: t, done: false });
        } else offered = { t, taken };
      });
      check();
    },
    async finish() {
      check();
      ended = true;
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w.resolve({ value: undefined, done: true });
      }
      await done;
      check();
    },
    async abort() {
      aborted = new IoError('conversion aborted', { file: label });
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w.reject(aborted);
      }
      await done;
    },
  };
}
