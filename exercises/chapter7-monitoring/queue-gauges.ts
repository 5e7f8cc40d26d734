import type { Queue } from 'bullmq';
import type { Registry } from 'prom-client';

/**
 * Registers two Prometheus gauges in `registry` whose values are read from Redis each time the
 * registry is scraped (`registry.metrics()`), never in between:
 * - `bullmq_queue_jobs{queue, state}`: for each queue, the number of jobs in the states
 *   `waiting` (prioritized jobs included), `delayed` and `failed`;
 * - `bullmq_queue_latency_seconds{queue}`: the queue's latency in seconds, as `queueLatencyMs`
 *   in `src/monitoring/latency.ts` computes it at `now()`.
 *
 * @param now epoch milliseconds; tests pass a fixed clock.
 */
export function registerQueueGauges(registry: Registry, queues: Queue[], now: () => number = Date.now): void {
  throw new Error('TODO(chapter 7): register two prom-client Gauges whose collect() reads the queues at scrape time');
}
