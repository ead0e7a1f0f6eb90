import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '@tfweights/core';
import { pushToPull } from '../src/formats/push-pull.js';

const t = (k: string) => makeTensor(k, 'uint8', [1], new Uint8Array([1]));

describe('pushToPull', () => {
  it('hands tensors over one at a time and finishes with the consumer', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let committed = false;
    const w = pushToPull(async (it) => {
      for await (const x of it) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        seen.push(x.key);
        inFlight--;
      }
      committed = true;
    });
    for (const k of ['a', 'b', 'c']) await w.write(t(k));
    await w.finish();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(maxInFlight).toBe(1);
    expect(committed).toBe(true);
  });
  it('write resolves only once the consumer has handled the tensor (nothing queues up)', async () => {
    const log: string[] = [];
    const w = pushToPull(async (it) => {
      for await (const x of it) {
        await new Promise((r) => setTimeout(r, 5));
        log.push(`done ${x.key}`);
      }
    });
    await w.write(t('a'));
    log.push('wrote a');
    await w.write(t('b'));
    log.push('wrote b');
    await w.finish();
    expect(log).toEqual(['done a', 'wrote a', 'done b', 'wrote b']);
  });
  it('abort makes the consumer loop throw, so it never commits', async () => {
    let committed = false;
    let caught: unknown;
    const w = pushToPull(async (it) => {
      try {
        for await (const _ of it) { /* consume */ }
        committed = true;
      } catch (err) {
        caught = err;
        throw err;
      }
    }, 'out.ckpt');
    await w.write(t('a'));
    await w.abort();
    expect(committed).toBe(false);
    expect(String(caught)).toMatch(/out\.ckpt: conversion aborted/);
  });
  it('a consumer failure surfaces in write/finish instead of hanging', async () => {
    const w = pushToPull(async (it) => {
      for await (const x of it as AsyncIterable<Tensor>) if (x.key === 'b') throw new Error('disk full');
    });
    await w.write(t('a'));
    await expect((async () => { await w.write(t('b')); await w.write(t('c')); await w.finish(); })()).rejects.toThrow('disk full');
  });
});
