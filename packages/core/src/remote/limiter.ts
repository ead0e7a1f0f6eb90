/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in order. Remote
 * sources share one per host so a checkpoint's index and shards together keep a bounded
 * number of requests in flight.
 */
export class Limiter {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  constructor(readonly limit: number) {}

  /** Run `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((go) => this.queue.push(go));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}

const shared = new Map<string, Limiter>();

/** The limiter of one host (`origin`), created on first use with `limit` slots. */
export function limiterFor(origin: string, limit: number): Limiter {
  const key = `${origin}#${limit}`;
  let l = shared.get(key);
  if (!l) shared.set(key, (l = new Limiter(limit)));
  return l;
}

/** Default number of ranged requests in flight per host. */
export const DEFAULT_CONCURRENCY = 8;
