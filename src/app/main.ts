/**
 * `npm start`: the demo app. An express server whose route enqueues a job, a worker in the same
 * process that runs it, a product route served from the cache (chapter 5), and the monitoring of
 * chapter 7: two dashboards behind logins (one read-only), `/stats`, `/metrics`, JSON logs and a
 * `Server-Timing` header on every response.
 */
import { MetricsTime, Queue, Worker } from 'bullmq';
import { Cache, connectCacheRedis, RedisStore, type CacheFailure } from '../cache/index.js';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import { dashboardCredentialsFromEnv, type DashboardCredentials } from '../monitoring/dashboard-auth.js';
import { createLogger, withJobLogging } from '../monitoring/job-logging.js';
import { createQueueMetrics } from '../monitoring/metrics.js';
import { queryLogOptions, watchQueries } from '../queries/watch.js';
import { queueConnectionOptions, workerConnectionOptions } from '../redis/connection.js';
import { acquireRedis } from '../redis/redis-url.js';
import { closeOnSignals } from '../worker/shutdown.js';
import { mountDashboard } from './dashboard.js';
import { createApp, productETag } from './server.js';
import { logTask, TASKS_QUEUE, type LogTaskData, type LogTaskResult } from './task-jobs.js';

const config = loadConfig();
let admin: DashboardCredentials;
let viewer: DashboardCredentials;
try {
  admin = dashboardCredentialsFromEnv('DASHBOARD', 'admin');
  viewer = dashboardCredentialsFromEnv('DASHBOARD_VIEWER', 'viewer');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const logger = createLogger('demo');
const redis = await acquireRedis(config.redisUrl);
// Watched by the query helper, so Server-Timing can report each request's queries.
const db = watchQueries(await createDatabase(config.databaseUrl, queryLogOptions));

const tasksQueue = new Queue<LogTaskData>(TASKS_QUEUE, { connection: queueConnectionOptions(redis.url) });
// The cache gets a client of its own: the Worker's waits for Redis forever, the cache's gives up
// after CACHE_COMMAND_TIMEOUT_MS and the request is served from the database instead.
const cacheRedis = await connectCacheRedis(redis.url);
const cache = new Cache({ store: new RedisStore(cacheRedis, 'cache'), onError: logCacheFailure });

const metrics = createQueueMetrics({ queues: [tasksQueue], cache, processMetrics: true });
const worker = new Worker<LogTaskData, LogTaskResult>(
  TASKS_QUEUE,
  withJobLogging((job) => logTask(job, db), { logger }),
  {
    connection: workerConnectionOptions(redis.url),
    concurrency: config.concurrency,
    // Per-minute completed/failed counts in Redis, for /stats and the dashboard's charts.
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  },
);
metrics.observeWorker(worker);
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));

const app = createApp({ db, tasksQueue, cache, monitoring: { queues: [tasksQueue], metrics } });
mountDashboard(app, [tasksQueue], { basePath: '/admin/queues', credentials: admin });
mountDashboard(app, [tasksQueue], { basePath: '/ops/queues', credentials: viewer, readOnly: true });

const product1 = await db.product.findUnique({ where: { id: 1 }, select: { id: true, updatedAt: true } });
const server = app.listen(config.port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${config.port}`;
  const login = (who: DashboardCredentials, variable: string) =>
    `user "${who.user}", password "${who.password}"` +
    (who.generated ? ` (made up for this run; set ${variable}_PASSWORD to choose one)` : ` (from ${variable}_USER/${variable}_PASSWORD)`);
  console.log(`Demo app on ${base} (Redis: ${redis.embedded ? 'private redis-server at ' : ''}${redis.url})`);
  console.log(`  curl -i -X POST ${base}/tasks -H 'content-type: application/json' -d '{"title":"Say hello"}'`);
  console.log(`  curl -i ${base}/tasks/1          (see the Server-Timing header)`);
  console.log(`  curl -i ${base}/products/1`);
  if (product1) console.log(`  curl -i ${base}/products/1 -H 'If-None-Match: ${productETag(product1)}'   (304 until product 1 changes)`);
  console.log(`  curl ${base}/stats`);
  console.log(`  curl ${base}/metrics`);
  console.log(`  dashboard:           ${base}/admin/queues  ${login(admin, 'DASHBOARD')}`);
  console.log(`  read-only dashboard: ${base}/ops/queues    ${login(viewer, 'DASHBOARD_VIEWER')}`);
  console.log(`  curl -u '${admin.user}:${admin.password}' ${base}/admin/queues/api/queues`);
  console.log('Job logs follow as JSON lines. Ctrl-C to stop.');
});
server.on('error', (error) => {
  console.error(`Cannot listen on port ${config.port}: ${error.message}. Set PORT to another port.`);
  process.exit(1);
});

closeOnSignals([
  () => new Promise((resolve) => server.close(resolve)),
  () => worker.close(),
  () => tasksQueue.close(),
  () => db.$disconnect(),
  // quit() waits for Redis to answer; while Redis is down it cannot, so just drop the connection.
  () => cacheRedis.quit().catch(() => cacheRedis.disconnect()),
  () => redis.release(),
]);

/** One line per failure: during an outage every request fails this way, and a stack trace each would bury the log. */
function logCacheFailure({ operation, key, error }: CacheFailure): void {
  const reason = error instanceof Error ? error.message : String(error);
  logger.warn({ operation, key, reason }, 'cache unavailable: answered from the database');
}
