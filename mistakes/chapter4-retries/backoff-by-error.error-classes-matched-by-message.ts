// Mistake: tells the errors apart by their message (/ECONN|timeout/, /429/) instead of their class, so a NetworkError whose message says EPIPE or a 429 saying 'slow down' gets Sidekiq's schedule
import type { BackoffStrategy } from 'bullmq';
import { sidekiqBackoffStrategy, type RandomSource } from '../../src/retries/sidekiq-backoff.js';

/** The carrier's API could not be reached: worth trying again soon. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** The carrier answered HTTP 429 and said, in `Retry-After`, how long to wait. */
export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';

  constructor(
    message: string,
    /** How long the server asked us to wait, in milliseconds. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The waits {@link backoffByError} chooses from. */
export interface BackoffByErrorOptions {
  /** Wait before retrying after a {@link NetworkError}, in milliseconds. */
  networkErrorMs: number;
  /** Milliseconds per second of Sidekiq's default schedule: 1000 in production, 1 in tests. */
  msPerSecond: number;
  /** Jitter source for Sidekiq's default schedule (`Math.random` when left out). */
  random?: RandomSource;
}

/**
 * A custom backoff strategy in the spirit of `sidekiq_retry_in { |count, exception| ... }`:
 * the wait depends on what went wrong.
 *
 * - {@link NetworkError}: `networkErrorMs`, a short fixed wait;
 * - {@link TooManyRequestsError}: the error's `retryAfterMs`, as the server asked;
 * - anything else: Sidekiq's default schedule (`src/retries/sidekiq-backoff.ts`), scaled by `msPerSecond`.
 *
 * Give it to a Worker as `settings: { backoffStrategy }` and add jobs with `backoff: { type: 'custom' }`.
 */
export function backoffByError(options: BackoffByErrorOptions): BackoffStrategy {
  const sidekiqDefault = sidekiqBackoffStrategy({ msPerSecond: options.msPerSecond, random: options.random });
  return (attemptsMade, _type, error) => {
    const message = error?.message ?? '';
    if (/ECONN|ETIMEDOUT/.test(message)) return options.networkErrorMs;
    if (/429|too many requests/i.test(message)) return (error as TooManyRequestsError).retryAfterMs;
    return sidekiqDefault(attemptsMade);
  };
}
