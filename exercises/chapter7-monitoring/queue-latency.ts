import type { Queue } from 'bullmq';

/**
 * Sidekiq's `Queue#latency`, in milliseconds: how long the job that has waited longest has been
 * ready to run, at `now` (epoch milliseconds). 0 when no job waits; running jobs do not count.
 *
 * - Prioritized jobs count too. They are kept in priority order, so the most urgent one is not
 *   necessarily the one that has waited longest.
 * - A retried job counts from the start of its last attempt (`processedOn`), not from when it
 *   was first added: its earlier runs are not waiting time.
 */
export async function queueLatency(queue: Queue, now: number = Date.now()): Promise<number> {
  throw new Error('TODO(chapter 7): find the longest-waiting job (plain and prioritized) and return how long it has been ready');
}
