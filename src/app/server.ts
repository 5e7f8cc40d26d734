/**
 * The demo app's HTTP side: an express 5 app whose route enqueues a job and answers at once,
 * and a product route that answers from the cache, or with a 304 when the client's copy is current.
 *
 * @module
 */
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Queue } from 'bullmq';
import { recordCacheKey, type Cache } from '../cache/index.js';
import type { Database } from '../db/client.js';
import type { QueueMetrics } from '../monitoring/metrics.js';
import { sidekiqStats } from '../monitoring/queue-stats.js';
import { serverTiming } from '../monitoring/server-timing.js';
import { toProductJson, type ProductJson } from './products.js';
import { LOG_TASK_JOB, type LogTaskData } from './task-jobs.js';

/** How long a product stays in the cache, and in browsers and proxies (`max-age`): 5 minutes. */
export const PRODUCT_MAX_AGE_MS = 5 * 60_000;

/** What the app needs; passed in so tests can give it their own queue, database and cache. */
export interface AppDependencies {
  db: Database;
  tasksQueue: Queue<LogTaskData>;
  /** When given, the app also serves `GET /stats` for these queues and `GET /metrics`. */
  monitoring?: { queues: Queue[]; metrics: QueueMetrics };
  /** The cache product JSON is kept in (chapter 5); the app uses keys `products/<id>`. */
  cache: Cache;
}

/**
 * The weak ETag of a product, built from its id and `updatedAt` alone, so it is known before the
 * product is loaded (Rails' `stale?(@product)` does the same with `cache_key_with_version`).
 */
export function productETag(product: { id: number; updatedAt: Date }): string {
  return `W/"product-${product.id}-${product.updatedAt.getTime()}"`;
}

/**
 * Builds the express app:
 * - `POST /tasks` `{ "title": "…" }` creates a task, enqueues `log-task`, answers 202 `{ taskId, jobId }`
 * - `GET /tasks/:id` shows the task with the logs its job wrote
 * - `GET /products/:id` answers the product with its category as JSON, with `ETag`, `Last-Modified`
 *   and `Cache-Control: public, max-age=300`; 304 with no body when the request's `If-None-Match`
 *   (or `If-Modified-Since`) is still current, decided before the product is loaded; the JSON
 *   comes from `cache` under the product's recyclable key, so an update is a miss at once
 * - `GET /health` answers 200 `{ ok: true }`
 * - with `monitoring`: `GET /stats` (Sidekiq::Stats per queue, JSON) and `GET /metrics` (Prometheus)
 *
 * Every response carries a `Server-Timing` header (total, database time and query count); the
 * query count needs `db` to be watched by the query helper (`watchQueries`).
 */
export function createApp({ db, tasksQueue, cache, monitoring }: AppDependencies): Express {
  const app = express();
  app.use(serverTiming());
  app.use(express.json());

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.post('/tasks', async (req, res) => {
    const title: unknown = req.body?.title;
    if (typeof title !== 'string' || title.trim() === '') {
      res.status(400).json({ error: 'title must be a non-empty string' });
      return;
    }
    const task = await db.task.create({ data: { title: title.trim() } });
    // Enqueue only after the row is committed: the job must find the task when it runs.
    const job = await tasksQueue.add(LOG_TASK_JOB, { taskId: task.id });
    res.status(202).location(`/tasks/${task.id}`).json({ taskId: task.id, jobId: job.id });
  });

  app.get('/tasks/:id', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) {
      res.status(400).json({ error: 'id must be a positive whole number' });
      return;
    }
    const task = await db.task.findUnique({ where: { id }, include: { logs: true } });
    if (!task) {
      res.status(404).json({ error: `task ${id} not found` });
      return;
    }
    res.json(task);
  });

  if (monitoring) {
    // Numbers only, no job data: fine for a scraper on the same network. Anything that shows or
    // changes jobs is the dashboard's job, and the dashboard needs a login.
    app.get('/stats', async (_req, res) => {
      res.json(await sidekiqStats(monitoring.queues));
    });
    app.get('/metrics', monitoring.metrics.handler());
  }
  app.get('/products/:id', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id < 1) {
      res.status(400).json({ error: 'id must be a positive whole number' });
      return;
    }
    // Rails' `stale?`: the validators come from a query for two columns; the 304 goes out before
    // the cache or the full product is touched.
    const stamp = await db.product.findUnique({ where: { id }, select: { id: true, updatedAt: true } });
    if (!stamp) {
      res.status(404).json({ error: `product ${id} not found` });
      return;
    }
    res.set({
      ETag: productETag(stamp),
      'Last-Modified': stamp.updatedAt.toUTCString(),
      'Cache-Control': `public, max-age=${PRODUCT_MAX_AGE_MS / 1000}`, // expires_in 5.minutes, public: true
    });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    // The key stays `products/<id>`; the version is updatedAt, so an update is a miss and its
    // write replaces the old entry instead of leaving it behind.
    const { key, version } = recordCacheKey('products', stamp);
    const product = await cache.fetch<ProductJson | null>(key, { version, expiresIn: PRODUCT_MAX_AGE_MS, skipNil: true }, async () => {
      const record = await db.product.findUnique({ where: { id }, include: { category: true } });
      return record ? toProductJson(record) : null;
    });
    if (!product) {
      // Deleted between the two queries: take back the validators, a 404 must not be cached as public.
      for (const header of ['ETag', 'Last-Modified', 'Cache-Control']) res.removeHeader(header);
      res.status(404).json({ error: `product ${id} not found` });
      return;
    }
    res.json(product);
  });

  app.use(jsonErrors);
  return app;
}

/** Every error becomes a JSON body; a malformed request body is the client's fault (400). */
const jsonErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(error);
  res.status(status).json({ error: status === 500 ? 'internal error' : String(error.message) });
};
