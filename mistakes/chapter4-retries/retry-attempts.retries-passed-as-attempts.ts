// Mistake: passes Sidekiq's retry count straight through as attempts, so retry: 5 runs five times, not six
/** What Sidekiq's `retry:` option takes: a number of retries, `true` (its default, 25) or `false` (none). */
export type SidekiqRetry = number | boolean;

/** Retries Sidekiq makes when `retry:` is `true` or left out. */
const SIDEKIQ_DEFAULT_RETRIES = 25;

/**
 * BullMQ's `attempts` job option for a Sidekiq `retry:` setting.
 *
 * Sidekiq counts retries, the runs after the first one; BullMQ's `attempts` counts every run,
 * the first included, and defaults to 1: no retry at all. So `retry: 5` means `attempts: 6`.
 *
 * @throws RangeError naming the value when it is not `true`, `false` or a whole number of 0 or more
 */
export function attemptsFor(retry: SidekiqRetry): number {
  if (retry === true) return SIDEKIQ_DEFAULT_RETRIES;
  if (retry === false) return 1;
  if (!Number.isInteger(retry) || retry < 0) {
    throw new RangeError(`retry: ${retry} is not a number of retries: use true, false or a whole number of 0 or more`);
  }
  return retry;
}
