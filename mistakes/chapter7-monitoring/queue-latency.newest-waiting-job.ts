// Mistake: reads the first job getJobs returns without asc, which is the newest waiting job, not the oldest
import type { Job, Queue } from 'bullmq';

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
  // Plain waiting jobs leave the list in the order they came: the next one is the oldest.
  const [next] = await queue.getJobs(['wait'], 0, 0);
  // Prioritized jobs are sorted by priority, so every one of them is a candidate.
  const prioritized = await queue.getPrioritized();
  const candidates = [next, ...prioritized].filter((job): job is Job => job !== undefined);
  if (candidates.length === 0) return 0;
  const oldest = Math.min(...candidates.map((job) => Math.max(job.timestamp + (job.opts.delay ?? 0), job.processedOn ?? 0)));
  return Math.max(0, now - oldest);
}
