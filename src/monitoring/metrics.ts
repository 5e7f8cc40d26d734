/**
 * Prometheus metrics for queues and workers, with names shaped like the Sidekiq exporters'
 * (sidekiq-prometheus-exporter, yabeda-sidekiq), served from a `/metrics` route.
 *
 * Counters and the run-time histogram are fed by Worker events as jobs finish; queue sizes and
 * latency are read from Redis when Prometheus scrapes (a `collect()` per gauge), so they are
 * never stale and cost nothing between scrapes.
 *
 * @module Monitoring/Prometheus metrics
 */
import type { Job, Queue, Worker } from 'bullmq';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheStats } from '../cache/index.js';
import { queueLatencyMs } from './latency.js';

/** The counters of chapter 5's `Cache.stats()` that `/metrics` reports. */
export type CacheCounts = Pick<CacheStats, 'hits' | 'misses' | 'writes'>;

/** Anything that reports {@link CacheCounts}, such as chapter 5's `Cache`. */
export interface CacheStatsSource {
  /** The counts since the cache started; called on every scrape, so it should be cheap. */
  stats(): CacheCounts | Promise<CacheCounts>;
}

/** Options of {@link createQueueMetrics}. */
export interface QueueMetricsOptions {
  /** Queues whose sizes and latency are read at each scrape. */
  queues: Queue[];
  /** Where the metrics are registered; a new registry when not given (tests stay apart). */
  registry?: Registry;
  /**
   * The hook for chapter 5's cache: when given, each scrape reads `cache.stats()` and reports
   * `cache_hits_total`, `cache_misses_total`, `cache_writes_total` and `cache_hit_ratio`.
   */
  cache?: CacheStatsSource;
  /** Also export Node's process metrics (CPU, memory, event loop lag); off by default. */
  processMetrics?: boolean;
  /** Histogram buckets for job run time, in seconds. */
  runtimeBuckets?: number[];
  /** Epoch milliseconds, for latency; tests pass a fixed clock. */
  now?: () => number;
}

/** What {@link createQueueMetrics} returns. */
export interface QueueMetrics {
  /** The registry holding every metric below. */
  readonly registry: Registry;
  /** Counts and times every job `worker` finishes or fails from now on. */
  observeWorker(worker: Worker): void;
  /** An express handler for `GET /metrics`. */
  handler(): RequestHandler;
}

/** Metric names, for dashboards, alert rules and tests. */
export const METRIC_NAMES = {
  processed: 'bullmq_jobs_processed_total',
  failed: 'bullmq_jobs_failed_total',
  runtime: 'bullmq_job_runtime_seconds',
  jobs: 'bullmq_queue_jobs',
  latency: 'bullmq_queue_latency_seconds',
  cacheHits: 'cache_hits_total',
  cacheMisses: 'cache_misses_total',
  cacheWrites: 'cache_writes_total',
  cacheHitRatio: 'cache_hit_ratio',
} as const;

const COUNTED_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** Sidekiq-like buckets: 10 ms to 5 minutes. */
export const DEFAULT_RUNTIME_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Creates the workbook's metrics:
 * - `bullmq_jobs_processed_total{queue,name}`: jobs completed (Sidekiq's processed, less failures);
 * - `bullmq_jobs_failed_total{queue,name}`: failed attempts, retried or not (Sidekiq's failed);
 * - `bullmq_job_runtime_seconds{queue,name}`: run time of every attempt (histogram);
 * - `bullmq_queue_jobs{queue,state}` with `state` waiting, active, delayed or failed, and
 *   `bullmq_queue_latency_seconds{queue}`, both read from Redis at scrape time;
 * - with `cache`, the cache counters and hit ratio.
 */
export function createQueueMetrics(options: QueueMetricsOptions): QueueMetrics {
  const registry = options.registry ?? new Registry();
  const { queues, now = Date.now } = options;
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const processed = new Counter({ name: METRIC_NAMES.processed, help: 'Jobs completed', labelNames: ['queue', 'name'], registers });
  const failed = new Counter({ name: METRIC_NAMES.failed, help: 'Job attempts that failed, retried or not', labelNames: ['queue', 'name'], registers });
  const runtime = new Histogram({
    name: METRIC_NAMES.runtime,
    help: 'Run time of each job attempt, in seconds',
    labelNames: ['queue', 'name'],
    buckets: options.runtimeBuckets ?? DEFAULT_RUNTIME_BUCKETS,
    registers,
  });

  new Gauge({
    name: METRIC_NAMES.jobs,
    help: 'Jobs per state: waiting (prioritized included), active, delayed, failed (the dead set)',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const counts = await Promise.all(queues.map(async (queue) => [queue.name, await queue.getJobCounts(...COUNTED_STATES)] as const));
      this.reset();
      for (const [queue, c] of counts) {
        this.set({ queue, state: 'waiting' }, (c.waiting ?? 0) + (c.prioritized ?? 0));
        this.set({ queue, state: 'active' }, c.active ?? 0);
        this.set({ queue, state: 'delayed' }, c.delayed ?? 0);
        this.set({ queue, state: 'failed' }, c.failed ?? 0);
      }
    },
  });
  new Gauge({
    name: METRIC_NAMES.latency,
    help: 'Seconds the longest-waiting job has been ready to run',
    labelNames: ['queue'],
    registers,
    async collect() {
      const latencies = await Promise.all(queues.map(async (queue) => [queue.name, await queueLatencyMs(queue, { now })] as const));
      this.reset();
      for (const [queue, ms] of latencies) this.set({ queue }, ms / 1000);
    },
  });

  if (options.cache) registerCacheMetrics(options.cache, registers);

  return {
    registry,
    observeWorker(worker) {
      worker.on('completed', (job) => {
        processed.inc(labels(job));
        runtime.observe(labels(job), runSeconds(job, now));
      });
      worker.on('failed', (job) => {
        // undefined only for a stalled job removed at once: nothing to label it with.
        if (!job) return;
        failed.inc(labels(job));
        runtime.observe(labels(job), runSeconds(job, now));
      });
    },
    handler() {
      return async (_req, res, next) => {
        try {
          const body = await registry.metrics();
          res.set('Content-Type', registry.contentType).send(body);
        } catch (error) {
          next(error);
        }
      };
    },
  };
}

function registerCacheMetrics(cache: CacheStatsSource, registers: Registry[]): void {
  const read = async () => cache.stats();
  // The cache keeps its own running totals; each scrape copies them into the counters.
  const copied = (name: string, help: string, pick: (stats: CacheCounts) => number) =>
    new Counter({
      name,
      help,
      registers,
      async collect() {
        const stats = await read();
        this.reset();
        this.inc(pick(stats));
      },
    });
  copied(METRIC_NAMES.cacheHits, 'Cache reads that found a value', (s) => s.hits);
  copied(METRIC_NAMES.cacheMisses, 'Cache reads that found nothing', (s) => s.misses);
  copied(METRIC_NAMES.cacheWrites, 'Values written to the cache', (s) => s.writes);
  new Gauge({
    name: METRIC_NAMES.cacheHitRatio,
    help: 'hits / (hits + misses) since the cache started; 0 before any read',
    registers,
    async collect() {
      const { hits, misses } = await read();
      this.set(hits + misses === 0 ? 0 : hits / (hits + misses));
    },
  });
}

function labels(job: Job): { queue: string; name: string } {
  return { queue: job.queueName, name: job.name };
}

/** An attempt's run time: `finishedOn` is set for a finished job; a retried failure has none yet. */
function runSeconds(job: Job, now: () => number): number {
  if (!job.processedOn) return 0;
  return Math.max(0, (job.finishedOn || now()) - job.processedOn) / 1000;
}
