/**
 * The demo's worker, set up once for `npm start` and `npm run worker` alike.
 *
 * @module Demo app/Task worker
 */
import { homedir } from 'node:os';
import { MetricsTime, Worker, type Processor } from 'bullmq';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { withJobLogging } from '../monitoring/job-logging.js';
import { workerConnectionOptions } from '../redis/connection.js';
import { logRedisErrors } from '../redis/redis-watch.js';
import { handBackOnShutdown } from '../worker/shutdown.js';
import { logTask, TASK_WORKER_STALL_SETTINGS, TASKS_QUEUE, type LogTaskData, type LogTaskResult } from './task-jobs.js';

/** Options of {@link createTaskWorker}. */
export interface TaskWorkerOptions {
  redisUrl: string;
  db: Database;
  logger: Logger;
  concurrency: number;
  /** Pretend work per job, in milliseconds (`DEMO_JOB_WORK_MS`). */
  workMs?: number;
}

/**
 * A Worker for the `tasks` queue with the demo's choices: job logs, the stall settings of
 * {@link TASK_WORKER_STALL_SETTINGS}, jobs handed back on a shutdown deadline, failure reasons
 * free of this machine's paths, per-minute metrics, and one quiet line per Redis outage.
 */
export function createTaskWorker({ redisUrl, db, logger, concurrency, workMs = 0 }: TaskWorkerOptions): Worker<LogTaskData, LogTaskResult> {
  const processor: Processor<LogTaskData, LogTaskResult> = (job, _token, signal) => logTask(job, db, { workMs, signal });
  const worker = new Worker<LogTaskData, LogTaskResult>(TASKS_QUEUE, handBackOnShutdown(withoutLocalPaths(withJobLogging(processor, { logger }))), {
    connection: workerConnectionOptions(redisUrl),
    concurrency,
    ...TASK_WORKER_STALL_SETTINGS,
    // Per-minute completed/failed counts in Redis, for /stats and the dashboard's charts.
    // Every worker of a queue must use the same setting (chapter 7).
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  });
  worker.on('error', logRedisErrors(logger, 'worker'));
  return worker;
}

/**
 * Wraps `processor` so that an error's message and stack name files relative to the project
 * (`./src/app/task-jobs.ts`) and the home folder as `~`. BullMQ stores both with the failed job,
 * and the dashboard shows them to whoever may open it: they need not learn the server's layout.
 */
export function withoutLocalPaths<T, R, N extends string>(processor: Processor<T, R, N>): Processor<T, R, N> {
  return async (job, token, signal) => {
    try {
      return await processor(job, token, signal);
    } catch (error) {
      if (error instanceof Error) {
        error.message = stripLocalPaths(error.message);
        if (error.stack) error.stack = stripLocalPaths(error.stack);
      }
      throw error;
    }
  };
}

/** Replaces this project's folder with `.` and the home folder with `~` in `text`. */
export function stripLocalPaths(text: string, cwd = process.cwd(), home = homedir()): string {
  let result = text.replaceAll(`file://${cwd}/`, './').replaceAll(`${cwd}/`, './');
  if (home && home !== '/') result = result.replaceAll(`file://${home}/`, '~/').replaceAll(`${home}/`, '~/');
  return result;
}
