/**
 * The demo app's HTTP side: an express 5 app whose route enqueues a job and answers at once.
 *
 * @module
 */
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Queue } from 'bullmq';
import type { Database } from '../db/client.js';
import type { QueueMetrics } from '../monitoring/metrics.js';
import { sidekiqStats } from '../monitoring/queue-stats.js';
import { serverTiming } from '../monitoring/server-timing.js';
import { LOG_TASK_JOB, type LogTaskData } from './task-jobs.js';

/** What the app needs; passed in so tests can give it their own queue and database. */
export interface AppDependencies {
  db: Database;
  tasksQueue: Queue<LogTaskData>;
  /** When given, the app also serves `GET /stats` for these queues and `GET /metrics`. */
  monitoring?: { queues: Queue[]; metrics: QueueMetrics };
}

/**
 * Builds the express app:
 * - `POST /tasks` `{ "title": "…" }` creates a task, enqueues `log-task`, answers 202 `{ taskId, jobId }`
 * - `GET /tasks/:id` shows the task with the logs its job wrote
 * - `GET /health` answers 200 `{ ok: true }`
 * - with `monitoring`: `GET /stats` (Sidekiq::Stats per queue, JSON) and `GET /metrics` (Prometheus)
 *
 * Every response carries a `Server-Timing` header (total, database time and query count); the
 * query count needs `db` to be watched by the query helper (`watchQueries`).
 */
export function createApp({ db, tasksQueue, monitoring }: AppDependencies): Express {
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

  app.use(jsonErrors);
  return app;
}

/** Every error becomes a JSON body; a malformed request body is the client's fault (400). */
const jsonErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(error);
  res.status(status).json({ error: status === 500 ? 'internal error' : String(error.message) });
};
