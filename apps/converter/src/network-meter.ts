/**
 * Bytes moved over the network, for the throughput in progress bars. Its own file: every command
 * counts from start-up on, few draw a bar (progress.ts loads with the commands that do).
 */

/** Bytes moved (remote reads and uploads). */
export interface NetworkMeter {
  add(bytes: number): void;
  /** Bytes so far. */
  readonly total: number;
  /** Bytes per second since the first byte. */
  rate(): number;
}

export function networkMeter(): NetworkMeter {
  let total = 0;
  let since: number | undefined;
  return {
    add(n) {
      since ??= Date.now();
      total += n;
    },
    get total() {
      return total;
    },
    rate() {
      return since === undefined ? 0 : total / Math.max(0.001, (Date.now() - since) / 1000);
    },
  };
}
