// Mistake: counts only the waiting list as enqueued, leaving out prioritized jobs
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
  const [counts, completed, failed, delayed] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'failed'),
    // meta.count is the running total; the data points (per minute) are not needed here.
    queue.getMetrics('completed', 0, 0),
    queue.getMetrics('failed', 0, 0),
    queue.getDelayed(),
  ]);
  // A delayed job is a retry when it has run before, a scheduled job when it has not.
  const retries = delayed.filter((job) => job.attemptsMade > 0).length;
  return {
    processed: completed.meta.count,
    failed: failed.meta.count,
    enqueued: counts.waiting ?? 0,
    scheduled: delayed.length - retries,
    retries,
    dead: counts.failed ?? 0,
  };
}
