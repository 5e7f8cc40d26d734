/**
 * `npm run worker`: a worker process on its own, like `bundle exec sidekiq`. Run several to
 * scale out; each takes `WORKER_CONCURRENCY` jobs at a time (default 5, as Sidekiq's).
 * It needs a shared Redis, so it requires `REDIS_URL`.
 */
import { MetricsTime, Worker } from 'bullmq';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import { createLogger, withJobLogging } from '../monitoring/job-logging.js';
import { workerConnectionOptions } from '../redis/connection.js';
import { acquireRedis } from '../redis/redis-url.js';
import { closeOnSignals } from '../worker/shutdown.js';
import { logTask, TASKS_QUEUE, type LogTaskData, type LogTaskResult } from './task-jobs.js';

const config = loadConfig();
if (!config.redisUrl) {
  console.error('npm run worker needs REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379): a private Redis would have no jobs in it.');
  process.exit(1);
}
const redis = await acquireRedis(config.redisUrl);
const db = await createDatabase(config.databaseUrl);
const logger = createLogger('worker');
const worker = new Worker<LogTaskData, LogTaskResult>(TASKS_QUEUE, withJobLogging((job) => logTask(job, db), { logger }), {
  connection: workerConnectionOptions(redis.url),
  concurrency: config.concurrency,
  // Every worker of a queue must use the same metrics setting (chapter 7).
  metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
});
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
logger.info({ queue: TASKS_QUEUE, concurrency: config.concurrency }, 'worker started; Ctrl-C to stop');

closeOnSignals([() => worker.close(), () => db.$disconnect()]);
