/** The typed error of every remote read or write: an IoError that also says why and how (HTTP status). */
import { IoError, type TfwErrorDetails } from '../errors.js';

/** Why a remote request failed. */
export type RemoteFailure =
  | 'not-found' | 'access-denied' | 'status' | 'server-error' | 'timeout' | 'network' | 'redirect-loop'
  | 'range-ignored' | 'range-mismatch' | 'too-many-bytes' | 'short-body' | 'html';

export interface RemoteErrorDetails extends TfwErrorDetails {
  /** HTTP status, when there was a response. */
  status?: number;
  /** Whether trying again may help (5xx, time-outs, resets). */
  retryable?: boolean;
}

export class RemoteError extends IoError {
  readonly reason: RemoteFailure;
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(reason: RemoteFailure, problem: string, details: RemoteErrorDetails = {}) {
    super(problem, details);
    this.reason = reason;
    this.status = details.status;
    this.retryable = details.retryable ?? false;
  }
}

/** True for an error worth retrying: a retryable RemoteError. */
export function isRetryable(err: unknown): boolean {
  return err instanceof RemoteError && err.retryable;
}

/** Wait `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RetryOptions {
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First back-off in ms, doubled each time, with jitter (default 250). */
  retryDelayMs?: number;
}

/** Run `attempt` until it succeeds, fails for good, or the retries are used up. */
export async function withRetries<T>(attempt: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? 4;
  const base = opts.retryDelayMs ?? 250;
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= retries || !isRetryable(err)) throw err;
      await sleep(base * 2 ** i * (0.75 + Math.random() * 0.5));
    }
  }
}
