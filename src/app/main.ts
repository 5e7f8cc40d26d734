/**
 * `npm start`: the demo app. An express server whose route enqueues a job through an outbox, a
 * worker in the same process that runs it, a product route served from the cache (chapter 5),
 * and the monitoring of chapter 7: two dashboards behind logins (one read-only), `/stats`,
 * `/metrics`, `/health`, JSON logs and a `Server-Timing` header on every response.
 *
 * Its private Redis keeps its data in `.data/redis` (append-only file), so jobs survive a restart.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import '../process/writable-checkout.js';
import { Queue } from 'bullmq';
import { Cache, connectCacheRedis, RedisStore, type CacheFailure } from '../cache/index.js';
import { loadConfig, type WorkbookConfig } from '../config.js';
import { checkDatabase, createDatabase, type Database } from '../db/client.js';
import { sweepOutbox } from '../jobs/outbox.js';
import { dashboardCredentialsFromEnv, type DashboardCredentials } from '../monitoring/dashboard-auth.js';
import { createLogger } from '../monitoring/job-logging.js';
import { createQueueMetrics } from '../monitoring/metrics.js';
import { watchParent } from '../process/orphan-guard.js';
import { queryLogOptions, watchQueries } from '../queries/watch.js';
import { queueConnectionOptions } from '../redis/connection.js';
import { acquireRedis, type RedisHandle } from '../redis/redis-url.js';
import { logRedisErrors, RedisWatch } from '../redis/redis-watch.js';
import { closeOnSignals, handBackRunningJobs } from '../worker/shutdown.js';
import { mountDashboard } from './dashboard.js';
import { createApp, productETag } from './server.js';
import { startUpMessage } from './start-up-message.js';
import { LOG_TASK_JOB, LOG_TASK_JOB_OPTIONS, TASKS_QUEUE, type LogTaskData } from './task-jobs.js';
import { createTaskWorker } from './task-worker.js';

let config: WorkbookConfig;
let admin: DashboardCredentials;
let viewer: DashboardCredentials;
try {
  config = loadConfig();
  admin = dashboardCredentialsFromEnv('DASHBOARD', 'admin');
  viewer = dashboardCredentialsFromEnv('DASHBOARD_VIEWER', 'viewer');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const logger = createLogger('demo');
let redis: RedisHandle | undefined;
let db: Database;
try {
  redis = await acquireRedis(config.redisUrl, { dataDir: config.redisDataDir });
  // Watched by the query helper, so Server-Timing can report each request's queries.
  db = watchQueries(await createDatabase(config.databaseUrl, queryLogOptions));
  await checkDatabase(db, config.databaseUrl);
} catch (error) {
  console.error((error as Error).message);
  await redis?.release();
  process.exit(1);
}
const redisUrl = redis.url;

const redisWatch = new RedisWatch(redisUrl, { logger });
const tasksQueue = new Queue<LogTaskData>(TASKS_QUEUE, { connection: queueConnectionOptions(redisUrl) });
tasksQueue.on('error', logRedisErrors(logger, 'queue'));
// The cache gets a client of its own: the Worker's waits for Redis forever, the cache's gives up
// after CACHE_COMMAND_TIMEOUT_MS and the request is served from the database instead.
const cacheRedis = await connectCacheRedis(redisUrl);
const cache = new Cache({ store: new RedisStore(cacheRedis, 'cache'), onError: logCacheFailure });

const metrics = createQueueMetrics({ queues: [tasksQueue], cache, processMetrics: true });
const worker = createTaskWorker({ redisUrl, db, logger, concurrency: config.concurrency, workMs: config.demoJobWorkMs });
metrics.observeWorker(worker);

const app = createApp({ db, tasksQueue, cache, monitoring: { queues: [tasksQueue], metrics }, allowedHosts: config.allowedHosts });
mountDashboard(app, [tasksQueue], { basePath: '/admin/queues', credentials: admin });
mountDashboard(app, [tasksQueue], { basePath: '/ops/queues', credentials: viewer, readOnly: true });

// The outbox's leftovers (a request that could not enqueue and could not roll back, or a
// process that died between commit and enqueue) go to Redis at start, every 5 s, and as soon
// as Redis is back.
let sweeping = false;
const sweep = async () => {
  if (sweeping || !redisWatch.isUp) return;
  sweeping = true;
  try {
    const delivered = await sweepOutbox(db, { [TASKS_QUEUE]: tasksQueue }, { [LOG_TASK_JOB]: LOG_TASK_JOB_OPTIONS });
    if (delivered > 0) logger.info({ delivered }, 'outbox: enqueued jobs that were left behind');
  } catch (error) {
    logger.debug({ reason: (error as Error).message }, 'outbox sweep stopped early');
  } finally {
    sweeping = false;
  }
};
const sweeper = setInterval(() => void sweep(), 5000).unref();
redisWatch.on('up', () => void sweep());
void sweep();

const product1 = await db.product.findUnique({ where: { id: 1 }, select: { id: true, updatedAt: true } });
// Express 5 calls back with the error when the port cannot be had (in use, or below 1024).
const server = app.listen(config.port, '127.0.0.1', (error) => {
  if (error) {
    console.error(`Cannot listen on port ${config.port}: ${error.message}. Set PORT to another port.`);
    // Stop watching before stopping the private Redis, or the watch logs Redis as gone.
    redisWatch.close();
    void redis!.release().finally(() => process.exit(1));
    return;
  }
  const message = startUpMessage({
    base: `http://127.0.0.1:${config.port}`,
    redisUrl,
    redisDataDir: redis!.embedded ? config.redisDataDir : undefined,
    // Only when set: a second terminal has the default already.
    databaseUrl: process.env.DATABASE_URL?.trim() ? config.databaseUrl : undefined,
    admin,
    viewer,
    product1ETag: product1 ? productETag(product1) : undefined,
    shutdownTimeoutSeconds: config.shutdownTimeoutMs / 1000,
  });
  console.log(message.join('\n'));
});

const shutdown = closeOnSignals(
  [
    () => new Promise((resolve) => server.close(resolve)),
    () => worker.close(),
    async () => clearInterval(sweeper),
    // close() needs Redis to answer; while Redis is down, drop the connection instead.
    () => (redisWatch.isUp ? tasksQueue.close() : tasksQueue.disconnect()),
    () => db.$disconnect(),
    // quit() waits for Redis to answer; while Redis is down it cannot, so just drop the connection.
    () => cacheRedis.quit().catch(() => cacheRedis.disconnect()),
    async () => redisWatch.close(),
    () => redis!.release(),
  ],
  process,
  (line) => logger.info(line),
  { timeoutMs: config.shutdownTimeoutMs, onTimeout: () => handBackRunningJobs(worker) },
);
// Started by npm, whose parent was killed: stop rather than run on unseen.
watchParent(() => shutdown('parent process gone'));

/** One line per failure: during an outage every request fails this way, and a stack trace each would bury the log. */
function logCacheFailure({ operation, key, error }: CacheFailure): void {
  const reason = error instanceof Error ? error.message : String(error);
  logger.warn({ operation, key, reason }, 'cache unavailable: answered from the database');
}
