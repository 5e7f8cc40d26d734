/**
 * `npm run worker`: a worker process on its own, like `bundle exec sidekiq`. Run several to
 * scale out; each takes `WORKER_CONCURRENCY` jobs at a time (default 5, as Sidekiq's).
 * It needs a shared Redis, so it requires `REDIS_URL`. On SIGTERM it gives running jobs
 * `SHUTDOWN_TIMEOUT` seconds (default 25, Sidekiq's `-t`) and hands the rest back to the queue.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import '../process/writable-checkout.js';
import { loadConfig, type WorkbookConfig } from '../config.js';
import { checkDatabase, createDatabase, type Database } from '../db/client.js';
import { createLogger } from '../monitoring/job-logging.js';
import { watchParent } from '../process/orphan-guard.js';
import { acquireRedis } from '../redis/redis-url.js';
import { RedisWatch } from '../redis/redis-watch.js';
import { closeOnSignals, handBackRunningJobs } from '../worker/shutdown.js';
import { TASKS_QUEUE } from './task-jobs.js';
import { createTaskWorker } from './task-worker.js';

let config: WorkbookConfig;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
if (!config.redisUrl) {
  console.error(
    'npm run worker needs REDIS_URL, the Redis that holds the jobs (a private one would have none). ' +
      'Run `npm start` in another terminal and paste the `REDIS_URL=… npm run worker` line it prints, ' +
      'or use a Redis of your own: REDIS_URL=redis://127.0.0.1:6379 npm run worker',
  );
  process.exit(1);
}
let db: Database;
try {
  await acquireRedis(config.redisUrl);
  db = await createDatabase(config.databaseUrl);
  await checkDatabase(db, config.databaseUrl);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const logger = createLogger('worker');
const redisWatch = new RedisWatch(config.redisUrl, { logger });
const worker = createTaskWorker({ redisUrl: config.redisUrl, db, logger, concurrency: config.concurrency, workMs: config.demoJobWorkMs });
logger.info({ queue: TASKS_QUEUE, concurrency: config.concurrency, shutdownTimeoutSeconds: config.shutdownTimeoutMs / 1000 }, 'worker started; Ctrl-C to stop');

const shutdown = closeOnSignals(
  [() => worker.close(), () => db.$disconnect(), async () => redisWatch.close()],
  process,
  (line) => logger.info(line),
  { timeoutMs: config.shutdownTimeoutMs, onTimeout: () => handBackRunningJobs(worker) },
);
watchParent(() => shutdown('parent process gone'));
