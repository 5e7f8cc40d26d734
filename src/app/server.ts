/**
 * The demo app's HTTP side: an express 5 app whose route enqueues a job and answers at once,
 * and a product route that answers from the cache, or with a 304 when the client's copy is current.
 *
 * @module Demo app/HTTP app
 */
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Queue } from 'bullmq';
import { recordCacheKey, type Cache } from '../cache/index.js';
import { LOOPBACK_HOSTS } from '../config.js';
import type { Database } from '../db/client.js';
import { deliverOutboxJob } from '../jobs/outbox.js';
import type { QueueMetrics } from '../monitoring/metrics.js';
import { sidekiqStats } from '../monitoring/queue-stats.js';
import { serverTiming } from '../monitoring/server-timing.js';
import { toProductJson, type ProductJson } from './products.js';
import { LOG_TASK_JOB, LOG_TASK_JOB_OPTIONS, taskJobId, TASKS_QUEUE, type LogTaskData } from './task-jobs.js';

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
  /** Host names to answer to; any other `Host` header gets 403 (default: the loopback names). */
  allowedHosts?: string[];
  /** How long `POST /tasks` waits for Redis to take the job before answering 503 (default 2 s). */
  enqueueTimeoutMs?: number;
}

/** The largest id the routes accept: PostgreSQL's `integer`, which Prisma's `Int` maps to. */
export const MAX_ID = 2_147_483_647;

/**
 * Reads a path id: a plain positive whole number in range, written in decimal digits. `Number()`
 * alone would accept `0x10` (16), `1e3` and ` 7`, and turn `1e20` into a query that fails with 500.
 *
 * @returns the id, or `undefined` for anything else
 */
export function parseId(raw: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) return undefined;
  const id = Number(raw);
  return id <= MAX_ID ? id : undefined;
}

/**
 * Refuses requests whose `Host` is not one of `allowedHosts` (any port) with 403. A page on
 * another site can point its own name at 127.0.0.1 (DNS rebinding) and then read this server as
 * if it were same-origin; the browser still sends that name as `Host`, and this check stops it.
 */
export function allowHosts(allowedHosts: string[]): RequestHandler {
  const allowed = new Set(allowedHosts.map((host) => host.toLowerCase()));
  return (req, res, next) => {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (allowed.has(host)) {
      next();
      return;
    }
    res.status(403).json({ error: `Host "${req.headers.host ?? ''}" is not served here; set ALLOWED_HOSTS to add it` });
  };
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
 * - `POST /tasks` `{ "title": "…" }` creates a task, enqueues `log-task` through the outbox
 *   (see `src/jobs/outbox.ts`), answers 202 `{ taskId, jobId }`; 415 when the body is not JSON;
 *   503 within `enqueueTimeoutMs` when Redis does not take the job, and then no task is kept
 * - `GET /tasks/:id` shows the task with the logs its job wrote, and its job's state
 *   (`failed` with the reason when it failed for good; retry it from the dashboard)
 * - `GET /products/:id` answers the product with its category as JSON, with `ETag`, `Last-Modified`
 *   and `Cache-Control: public, max-age=300`; 304 with no body when the request's `If-None-Match`
 *   (or `If-Modified-Since`) is still current, decided before the product is loaded; the JSON
 *   comes from `cache` under the product's recyclable key, so an update is a miss at once
 * - `GET /health` checks Redis and the database separately: 200 when both answer, else 503,
 *   with `{ ok, redis: { ok, latencyMs | error }, database: { ok, latencyMs | error } }`
 * - every request whose `Host` is not in `allowedHosts` gets 403; every response carries
 *   helmet's security headers and no `X-Powered-By`
 * - with `monitoring`: `GET /stats` (Sidekiq::Stats per queue, JSON) and `GET /metrics` (Prometheus)
 *
 * Every response carries a `Server-Timing` header (total, database time and query count); the
 * query count needs `db` to be watched by the query helper (`watchQueries`).
 */
export function createApp({ db, tasksQueue, cache, monitoring, allowedHosts = LOOPBACK_HOSTS, enqueueTimeoutMs = 2000 }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(allowHosts(allowedHosts));
  app.use(helmet());
  app.use(serverTiming());
  app.use(express.json());

  app.get('/health', async (_req, res) => {
    const [redis, database] = await Promise.all([
      // Any cheap round trip on the queue's own connection: it is the one POST /tasks needs.
      timed(() => tasksQueue.count(), 1000),
      timed(() => db.$queryRaw`SELECT 1`, 2000),
    ]);
    const ok = redis.ok && database.ok;
    res.status(ok ? 200 : 503).json({ ok, redis, database });
  });

  app.post('/tasks', async (req, res) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'the body must be JSON, sent with Content-Type: application/json, e.g. {"title":"Say hello"}' });
      return;
    }
    const title: unknown = req.body?.title;
    if (typeof title !== 'string' || title.trim() === '') {
      res.status(400).json({ error: 'title must be a non-empty string' });
      return;
    }
    // The task and the job that must follow it are written in one transaction (the outbox), so
    // no crash between the commit and the enqueue can leave a task without its job.
    const { task, outbox } = await db.$transaction(async (tx) => {
      const task = await tx.task.create({ data: { title: title.trim() } });
      const data: LogTaskData = { taskId: task.id };
      const outbox = await tx.outboxJob.create({
        data: { queue: TASKS_QUEUE, name: LOG_TASK_JOB, jobId: taskJobId(task.id), data: JSON.stringify(data) },
      });
      return { task, outbox };
    });
    try {
      await deliverOutboxJob(db, tasksQueue, outbox, LOG_TASK_JOB_OPTIONS, enqueueTimeoutMs);
    } catch (error) {
      // Redis did not take the job. Answer 503 and keep nothing, so that sending the request
      // again is the right thing to do. Should this delete fail too, the outbox row survives
      // and the sweeper enqueues the job later: never a task without a job.
      await db.$transaction([db.outboxJob.deleteMany({ where: { id: outbox.id } }), db.task.deleteMany({ where: { id: task.id } })]).catch(() => {});
      res
        .status(503)
        .set('Retry-After', '5')
        .json({ error: `the job queue (Redis) is unavailable, so the task was not created; try again shortly (${(error as Error).message})` });
      return;
    }
    res.status(202).location(`/tasks/${task.id}`).json({ taskId: task.id, jobId: outbox.jobId });
  });

  app.get('/tasks/:id', async (req, res) => {
    const id = parseId(req.params.id);
    if (id === undefined) {
      res.status(400).json({ error: `id must be a whole number from 1 to ${MAX_ID}, written in digits` });
      return;
    }
    const task = await db.task.findUnique({ where: { id }, include: { logs: true } });
    if (!task) {
      res.status(404).json({ error: `task ${id} not found` });
      return;
    }
    res.json({ ...task, job: await jobSummary(tasksQueue, taskJobId(id)) });
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
    const id = parseId(req.params.id);
    if (id === undefined) {
      res.status(400).json({ error: `id must be a whole number from 1 to ${MAX_ID}, written in digits` });
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

/** What `GET /tasks/:id` says about the task's job. */
export interface JobSummary {
  id: string;
  /**
   * BullMQ's state (`waiting`, `active`, `delayed` for a retry, `completed`, `failed`); `none`
   * when Redis holds no such job (finished jobs are removed after a day); `unknown` while Redis is away.
   */
  state: string;
  attemptsMade?: number;
  /** Why it failed, when it did. */
  failedReason?: string;
}

async function jobSummary(queue: Queue, jobId: string): Promise<JobSummary> {
  const read = await timed(async () => {
    const job = await queue.getJob(jobId);
    if (!job) return undefined;
    return { state: await job.getState(), attemptsMade: job.attemptsMade, failedReason: job.failedReason || undefined };
  }, 1000);
  if (!read.ok) return { id: jobId, state: 'unknown' };
  return { id: jobId, state: 'none', ...read.value };
}

type Timed<T> = { ok: true; latencyMs: number; value?: T } | { ok: false; error: string };

/** Runs `work` with a time limit, as a health check would: never throws. */
async function timed<T>(work: () => Promise<T>, timeoutMs: number): Promise<Timed<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const result: Timed<T> = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    if (value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) result.value = value;
    return result;
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n').filter(Boolean).at(-1) ?? 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** Every error becomes a JSON body; a malformed request body is the client's fault (400). */
const jsonErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(error);
  res.status(status).json({ error: status === 500 ? 'internal error' : String(error.message) });
};
