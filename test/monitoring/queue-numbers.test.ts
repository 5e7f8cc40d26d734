import { Queue, Worker, type Job } from 'bullmq';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { queueLatencyMs } from '../../src/monitoring/latency.js';
import { createQueueMetrics, METRIC_NAMES } from '../../src/monitoring/metrics.js';
import { sidekiqStats } from '../../src/monitoring/queue-stats.js';
import { useTestEnv, waitUntil } from '../harness.js';

const env = useTestEnv();

function options() {
  return { connection: env.connection, prefix: env.prefix };
}

/** Processes `reports`: jobs named `fail` always fail, the rest succeed. */
function reportsWorker(extra: Record<string, unknown> = {}): Worker {
  return env.track(
    new Worker(
      'reports',
      async (job: Job) => {
        if (job.name === 'fail') throw new Error('report broke');
        return 'ok';
      },
      { ...options(), metrics: { maxDataPoints: 60 }, ...extra },
    ),
  );
}

describe('queueLatencyMs', () => {
  it('is 0 for an empty queue and the age of the oldest waiting job otherwise', async () => {
    const queue = env.track(new Queue('reports', options()));
    expect(await queueLatencyMs(queue)).toBe(0);
    const oldest = await queue.add('a', {}, { timestamp: 1_000_000 });
    await queue.add('b', {}, { timestamp: 1_005_000 });
    expect(await queueLatencyMs(queue, { now: () => oldest.timestamp + 7000 })).toBe(7000);
  });

  it('finds the oldest prioritized job, not the most urgent one, and counts a delay from when it was due', async () => {
    const queue = env.track(new Queue('reports', options()));
    await queue.add('urgent', {}, { priority: 1, timestamp: 2_000_000 });
    await queue.add('old-but-low', {}, { priority: 50, timestamp: 1_000_000 });
    expect(await queueLatencyMs(queue, { now: () => 1_010_000 })).toBe(10_000);
    expect(await queueLatencyMs(queue, { now: () => 1_010_000, prioritizedScanLimit: 1 })).toBe(0);
  });
});

describe('sidekiqStats', () => {
  it('maps BullMQ states to Sidekiq’s numbers, per queue and in total', async () => {
    const queue = env.track(new Queue('reports', options()));
    const other = env.track(new Queue('emails', options()));
    reportsWorker();
    await queue.add('ok', {});
    await queue.add('fail', {});
    await waitUntil(async () => (await queue.getJobCounts('completed', 'failed')).failed === 1 && (await queue.getCompletedCount()) === 1, {
      message: 'one completed and one failed job',
    });
    await queue.add('later', {}, { delay: 60_000 });
    await queue.add('retrying', {}, { delay: 60_000, attempts: 3 });
    // A retry waiting for its backoff is a delayed job with a failed attempt behind it.
    await queue.add('fail', {}, { attempts: 2, backoff: { type: 'fixed', delay: 60_000 } });
    await waitUntil(async () => (await queue.getDelayed()).some((job) => job.attemptsMade === 1), { message: 'a job waiting for its retry' });
    await other.add('welcome', {});

    const stats = await sidekiqStats([queue, other]);
    expect(stats.queues[0]).toMatchObject({ queue: 'reports', processed: 1, failed: 1, enqueued: 0, scheduled: 2, retries: 1, dead: 1 });
    expect(stats.queues[1]).toMatchObject({ queue: 'emails', processed: 0, failed: 0, enqueued: 1, scheduled: 0, retries: 0, dead: 0 });
    expect(stats.totals).toMatchObject({ processed: 1, failed: 1, enqueued: 1, scheduled: 2, retries: 1, dead: 1 });
    expect(stats.totals.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe('createQueueMetrics', () => {
  it('counts processed jobs and failed attempts, times them, and reads sizes and latency at scrape time', async () => {
    const queue = env.track(new Queue('reports', options()));
    const metrics = createQueueMetrics({ queues: [queue], registry: new Registry(), now: () => 5_000_000 });
    metrics.observeWorker(reportsWorker());
    await queue.add('ok', {});
    await queue.add('ok', {});
    await queue.add('fail', {}, { attempts: 2 });
    await waitUntil(async () => (await queue.getCompletedCount()) === 2 && (await queue.getFailedCount()) === 1, { message: 'three finished jobs' });
    await queue.pause();
    await queue.add('ok', {}, { timestamp: 4_990_000 });

    const text = await metrics.registry.metrics();
    expect(text).toContain(`${METRIC_NAMES.processed}{queue="reports",name="ok"} 2`);
    expect(text).toContain(`${METRIC_NAMES.failed}{queue="reports",name="fail"} 2`);
    expect(text).toContain(`${METRIC_NAMES.runtime}_count{queue="reports",name="ok"} 2`);
    expect(text).toContain(`${METRIC_NAMES.runtime}_count{queue="reports",name="fail"} 2`);
    expect(text).toContain(`${METRIC_NAMES.jobs}{queue="reports",state="waiting"} 1`);
    expect(text).toContain(`${METRIC_NAMES.jobs}{queue="reports",state="failed"} 1`);
    expect(text).toContain(`${METRIC_NAMES.latency}{queue="reports"} 10`);
  });

  it('reports a cache’s hits, misses, writes and hit ratio through the cache hook', async () => {
    const queue = env.track(new Queue('reports', options()));
    const cache = { stats: () => ({ hits: 30, misses: 10, writes: 12 }) };
    const text = await createQueueMetrics({ queues: [queue], cache }).registry.metrics();
    expect(text).toContain(`${METRIC_NAMES.cacheHits} 30`);
    expect(text).toContain(`${METRIC_NAMES.cacheMisses} 10`);
    expect(text).toContain(`${METRIC_NAMES.cacheWrites} 12`);
    expect(text).toContain(`${METRIC_NAMES.cacheHitRatio} 0.75`);
  });
});
