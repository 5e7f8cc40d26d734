// Mistake: feeds BullMQ's attemptsMade to Sidekiq's formula as its retry count, one too many: the first retry waits 16 s instead of 15
import type { BackoffStrategy } from 'bullmq';
import { sidekiqRetryDelaySeconds, type RandomSource } from '../../src/retries/sidekiq-backoff.js';

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
  const sidekiqDefault = (attemptsMade: number) => sidekiqRetryDelaySeconds(attemptsMade, options.random) * options.msPerSecond;
  return (attemptsMade, _type, error) => {
    if (error instanceof NetworkError) return options.networkErrorMs;
    if (error instanceof TooManyRequestsError) return error.retryAfterMs;
    return sidekiqDefault(attemptsMade);
  };
}
