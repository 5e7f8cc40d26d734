/**
 * `Sidekiq::Stats` for BullMQ: the numbers on the front page of Sidekiq's Web UI, per queue.
 *
 * @module Monitoring/Queue stats
 */
import type { Queue } from 'bullmq';
import { queueLatencyMs, type LatencyOptions } from './latency.js';

/**
 * One queue's numbers, named as in `Sidekiq::Stats`.
 *
 * | field | Sidekiq | BullMQ |
 * | --- | --- | --- |
 * | `processed` | `stat:processed` | `getMetrics('completed').meta.count` (needs the Worker's `metrics` option) |
 * | `failed` | `stat:failed` | `getMetrics('failed').meta.count`: jobs that failed for good |
 * | `enqueued` | `Queue#size` | `waiting` + `prioritized` |
 * | `busy` | `Workers#size` | `active` |
 * | `scheduled` | ScheduledSet size | `delayed` jobs that have not run yet |
 * | `retries` | RetrySet size | `delayed` jobs that have failed before (`attemptsMade > 0`) |
 * | `dead` | DeadSet size | `failed` |
 * | `latencyMs` | `Queue#latency` (seconds) | {@link queueLatencyMs} |
 */
export interface QueueStats {
  queue: string;
  processed: number;
  failed: number;
  enqueued: number;
  busy: number;
  scheduled: number;
  retries: number;
  dead: number;
  latencyMs: number;
}

/** The numbers of {@link QueueStats} summed over queues, and the highest latency. */
export type StatsTotals = Omit<QueueStats, 'queue'>;

/** What {@link sidekiqStats} returns: each queue, and the totals. */
export interface StatsReport {
  queues: QueueStats[];
  totals: StatsTotals;
}

/**
 * Reads one queue's {@link QueueStats}. Splitting `delayed` into scheduled and retries reads
 * every delayed job, so this costs more on a queue with very many of them.
 */
export async function queueStats(queue: Queue, options: LatencyOptions = {}): Promise<QueueStats> {
  const [counts, completedMetrics, failedMetrics, delayed, latencyMs] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
    queue.getMetrics('completed', 0, 0),
    queue.getMetrics('failed', 0, 0),
    queue.getDelayed(),
    queueLatencyMs(queue, options),
  ]);
  const retries = delayed.filter((job) => job.attemptsMade > 0).length;
  return {
    queue: queue.name,
    processed: completedMetrics.meta.count,
    failed: failedMetrics.meta.count,
    enqueued: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    busy: counts.active ?? 0,
    scheduled: delayed.length - retries,
    retries,
    dead: counts.failed ?? 0,
    latencyMs,
  };
}

/** {@link queueStats} for every queue, with totals (latency: the worst queue's). */
export async function sidekiqStats(queues: Queue[], options: LatencyOptions = {}): Promise<StatsReport> {
  const perQueue = await Promise.all(queues.map((queue) => queueStats(queue, options)));
  const totals: StatsTotals = { processed: 0, failed: 0, enqueued: 0, busy: 0, scheduled: 0, retries: 0, dead: 0, latencyMs: 0 };
  for (const stats of perQueue) {
    for (const key of Object.keys(totals) as (keyof StatsTotals)[]) {
      totals[key] = key === 'latencyMs' ? Math.max(totals[key], stats[key]) : totals[key] + stats[key];
    }
  }
  return { queues: perQueue, totals };
}
