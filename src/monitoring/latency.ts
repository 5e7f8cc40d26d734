/**
 * Queue latency, Sidekiq's `Queue#latency`: how long the job that has waited longest has been
 * waiting to start. BullMQ has no built-in for it.
 *
 * @module Monitoring/Queue latency
 */
import type { Job, Queue } from 'bullmq';

/** Options of {@link queueLatencyMs}. */
export interface LatencyOptions {
  /** The clock, in epoch milliseconds; tests pass a fixed one. */
  now?: () => number;
  /**
   * How many prioritized jobs to read looking for the oldest. They are stored by priority, not
   * age, so finding the oldest means reading them; past this many the answer is a lower bound.
   */
  prioritizedScanLimit?: number;
}

/**
 * Milliseconds since the longest-waiting job of `queue` became ready to run; 0 when nothing
 * waits.
 *
 * - Plain waiting jobs: BullMQ takes them from one end of a list, so the next one to run is the
 *   oldest, and one read finds it.
 * - Prioritized jobs sit in a sorted set ordered by priority: the first one is the most urgent,
 *   not the oldest, so up to `prioritizedScanLimit` of them are read.
 * - A delayed job becomes ready at `timestamp + opts.delay`, not when it was added.
 * - A retried job keeps its creation `timestamp`, and BullMQ does not record when a retry went
 *   back to waiting; its age counts from its last attempt's start (`processedOn`) instead, which
 *   overstates by that attempt's run time and backoff, but not by everything before.
 */
export async function queueLatencyMs(queue: Queue, { now = Date.now, prioritizedScanLimit = 1000 }: LatencyOptions = {}): Promise<number> {
  const [nextWaiting] = await queue.getJobs(['wait'], 0, 0, true);
  const prioritized = prioritizedScanLimit > 0 ? await queue.getJobs(['prioritized'], 0, prioritizedScanLimit - 1, true) : [];
  const readySince = [nextWaiting, ...prioritized].filter((job): job is Job => job !== undefined).map(readyAt);
  if (readySince.length === 0) return 0;
  return Math.max(0, now() - Math.min(...readySince));
}

/** When `job` last became ready to run, as well as BullMQ's job hash can tell. */
export function readyAt(job: Pick<Job, 'timestamp' | 'opts' | 'processedOn'>): number {
  const firstReady = job.timestamp + (job.opts.delay ?? 0);
  return Math.max(firstReady, job.processedOn ?? 0);
}
