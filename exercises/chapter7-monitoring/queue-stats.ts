import type { Queue } from 'bullmq';

/** One queue's numbers, as `Sidekiq::Stats` and the Web UI's front page name them. */
export interface SidekiqStats {
  /** Jobs completed since the queue began (the Worker's `metrics` option keeps this count). */
  processed: number;
  /** Jobs that failed for good since the queue began (same source). */
  failed: number;
  /** Jobs waiting to run, prioritized ones included (`Queue#size`). */
  enqueued: number;
  /** Jobs set to run later that have not run yet (the ScheduledSet). */
  scheduled: number;
  /** Jobs that failed and wait for their next attempt (the RetrySet). */
  retries: number;
  /** Jobs with no attempt left (the DeadSet). */
  dead: number;
}

/** Reads {@link SidekiqStats} for `queue`. */
export async function sidekiqStats(queue: Queue): Promise<SidekiqStats> {
  throw new Error('TODO(chapter 7): read getJobCounts, the delayed jobs and getMetrics, and map them to Sidekiq’s names');
}
