/**
 * Sidekiq's default retry schedule, as a pure function and as a BullMQ backoff strategy.
 *
 * Sidekiq waits `count ** 4 + 15` seconds plus a random jitter before retry number `count`
 * (0 for the first retry). This module follows Sidekiq 8 (`lib/sidekiq/job_retry.rb`), whose
 * jitter is `rand(10 * (count + 1))`: a whole number of seconds from 0 to `10 * (count + 1) - 1`.
 * Sidekiq 6.x used `rand(10) * (count + 1)` instead: at most `9 * (count + 1)`, and only ten
 * possible values per step.
 *
 * BullMQ counts differently: its backoff strategies receive `attemptsMade`, which is already 1
 * when the first retry is being scheduled. {@link sidekiqBackoffStrategy} converts.
 *
 * @module Jobs/Sidekiq's retry backoff
 */

/** Retries Sidekiq makes with `retry: true` (its default): 25, so 26 runs in all. */
export const SIDEKIQ_DEFAULT_RETRIES = 25;

/** A source of numbers in [0, 1), like `Math.random`. Tests pass a fixed one. */
export type RandomSource = () => number;

/** The shortest and longest wait, in seconds, that Sidekiq may pick before one retry. */
export interface DelayRange {
  /** Wait with no jitter at all. */
  min: number;
  /** Wait with the largest jitter `rand` can return. */
  max: number;
}

/**
 * Seconds Sidekiq 8 waits before retry number `count` (0 for the first retry):
 * `count ** 4 + 15 + rand(10 * (count + 1))`.
 *
 * @param random where the jitter comes from; inject a fixed source to get a fixed answer
 * @throws RangeError when `count` is not a whole number of 0 or more, or `random()` leaves [0, 1)
 */
export function sidekiqRetryDelaySeconds(count: number, random: RandomSource = Math.random): number {
  const { min } = sidekiqRetryDelayRange(count);
  const roll = random();
  if (!(roll >= 0 && roll < 1)) {
    throw new RangeError(`the random source returned ${roll}; it must return a number in [0, 1), like Math.random`);
  }
  return min + Math.floor(roll * jitterChoices(count));
}

/**
 * The bounds of {@link sidekiqRetryDelaySeconds} for retry number `count`.
 *
 * @throws RangeError when `count` is not a whole number of 0 or more
 */
export function sidekiqRetryDelayRange(count: number): DelayRange {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`retry count must be a whole number of 0 or more (0 is the first retry), got ${count}`);
  }
  const base = count ** 4 + 15;
  return { min: base, max: base + jitterChoices(count) - 1 };
}

/** Options of {@link sidekiqBackoffStrategy}. */
export interface SidekiqBackoffOptions {
  /**
   * How many milliseconds stand for one of Sidekiq's seconds. 1000 (the default) is Sidekiq's real
   * schedule; tests pass 1 so a retry comes after 15-24 ms instead of 15-24 s.
   */
  msPerSecond?: number;
  /** Jitter source, `Math.random` by default. */
  random?: RandomSource;
}

/**
 * Sidekiq's schedule as a BullMQ backoff strategy: pass it as the Worker's
 * `settings.backoffStrategy` and add jobs with `backoff: { type: 'custom' }`.
 *
 * @returns a function of BullMQ's `attemptsMade` (1 before the first retry) to milliseconds
 */
export function sidekiqBackoffStrategy({ msPerSecond = 1000, random = Math.random }: SidekiqBackoffOptions = {}): (
  attemptsMade: number,
) => number {
  if (!(msPerSecond > 0)) throw new RangeError(`msPerSecond must be more than 0, got ${msPerSecond}`);
  return (attemptsMade) => sidekiqRetryDelaySeconds(attemptsMade - 1, random) * msPerSecond;
}

function jitterChoices(count: number): number {
  return 10 * (count + 1);
}
