/** What Sidekiq's `retry:` option takes: a number of retries, `true` (its default, 25) or `false` (none). */
export type SidekiqRetry = number | boolean;

/**
 * BullMQ's `attempts` job option for a Sidekiq `retry:` setting.
 *
 * Sidekiq counts retries, the runs after the first one; BullMQ's `attempts` counts every run,
 * the first included, and defaults to 1: no retry at all. So `retry: 5` means `attempts: 6`.
 *
 * @throws RangeError naming the value when it is not `true`, `false` or a whole number of 0 or more
 */
export function attemptsFor(retry: SidekiqRetry): number {
  throw new Error('TODO(chapter 4): return the number of runs for Sidekiq\'s `retry:` (retry: 5 -> 6, true -> 26, false -> 1), and throw a RangeError for anything else');
}
