// Mistake: measures the latency on the wall clock instead of the clock it was given
import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { queueLatencyMs } from '../../src/monitoring/latency.js';

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
  new Gauge({
    name: 'bullmq_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    // prom-client calls collect() on every scrape; `this` is the gauge, so not an arrow function.
    async collect() {
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'failed');
        this.set({ queue: queue.name, state: 'waiting' }, (counts.waiting ?? 0) + (counts.prioritized ?? 0));
        this.set({ queue: queue.name, state: 'delayed' }, counts.delayed ?? 0);
        this.set({ queue: queue.name, state: 'failed' }, counts.failed ?? 0);
      }
    },
  });
  new Gauge({
    name: 'bullmq_queue_latency_seconds',
    help: 'Seconds the longest-waiting job has been ready to run',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const queue of queues) this.set({ queue: queue.name }, (await queueLatencyMs(queue)) / 1000);
    },
  });
}
