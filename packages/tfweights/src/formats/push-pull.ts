/**
 * Codecs whose writers consume an (async) iterable (`writeCheckpoint(prefix, tensors)`) are
 * driven here by the pipeline's push-style `write(tensor)`: each write hands one tensor over
 * (whole or chunked) and resolves once the consumer asks for the next, so only one tensor is
 * in flight.
 * `abort()` makes the consumer's loop throw, so it removes its temporary files.
 */
import { IoError, type ChunkedTensor, type Tensor } from '@tfweights/core';

type Item = Tensor | ChunkedTensor;
import type { PipelineWriter } from './adapter.js';

interface Waiter {
  resolve: (r: IteratorResult<Item>) => void;
  reject: (err: unknown) => void;
}

export function pushToPull(consume: (tensors: AsyncIterable<Item>) => Promise<unknown>, label = 'output'): PipelineWriter {
  let waiting: Waiter | undefined; // the consumer, waiting for a tensor
  let offered: { t: Item; taken: () => void } | undefined; // a tensor, waiting for the consumer
  let handed: (() => void) | undefined; // resolves the last write once the consumer comes back
  let ended = false;
  let aborted: unknown;
  let consumerError: unknown;
  let consumerDone = false;

  const iterable: AsyncIterable<Item> = {
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
        return new Promise<IteratorResult<Item>>((resolve, reject) => { waiting = { resolve, reject }; });
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

  const hand = async (t: Item): Promise<void> => {
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
  };

  return {
    write: hand,
    // A chunked tensor is handed over the same way; the consumer reads its chunks before it
    // asks for the next tensor, so the write resolves once its bytes are written.
    writeChunked: hand,
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
