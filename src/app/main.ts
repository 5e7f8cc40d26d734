/**
 * `npm start`: the demo app. An express server whose route enqueues a job, a worker in the same
 * process that runs it, the queue dashboard, and a product route served from the cache (chapter 5),
 * all on the embedded defaults.
 */
import { Queue, Worker } from 'bullmq';
import { Cache, connectCacheRedis, RedisStore, type CacheFailure } from '../cache/index.js';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import { queueConnectionOptions, workerConnectionOptions } from '../redis/connection.js';
import { acquireRedis } from '../redis/redis-url.js';
import { closeOnSignals } from '../worker/shutdown.js';
import { mountDashboard } from './dashboard.js';
import { createApp, productETag } from './server.js';
import { logTask, TASKS_QUEUE, type LogTaskData, type LogTaskResult } from './task-jobs.js';

const config = loadConfig();
const redis = await acquireRedis(config.redisUrl);
const db = await createDatabase(config.databaseUrl);

const tasksQueue = new Queue<LogTaskData>(TASKS_QUEUE, { connection: queueConnectionOptions(redis.url) });
const worker = new Worker<LogTaskData, LogTaskResult>(TASKS_QUEUE, (job) => logTask(job, db), {
  connection: workerConnectionOptions(redis.url),
  concurrency: config.concurrency,
});
worker.on('completed', (job, result) => console.log(`job ${job.id} (${job.name}) completed: ${JSON.stringify(result)}`));
worker.on('failed', (job, error) => console.log(`job ${job?.id} (${job?.name}) failed: ${error.message}`));

// The cache gets a client of its own: the Worker's waits for Redis forever, the cache's gives up
// after CACHE_COMMAND_TIMEOUT_MS and the request is served from the database instead.
const cacheRedis = await connectCacheRedis(redis.url);
const cache = new Cache({ store: new RedisStore(cacheRedis, 'cache'), onError: logCacheFailure });

const app = createApp({ db, tasksQueue, cache });
mountDashboard(app, [tasksQueue]);
const product1 = await db.product.findUnique({ where: { id: 1 }, select: { id: true, updatedAt: true } });
const server = app.listen(config.port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${config.port}`;
  console.log(`Demo app on ${base} (Redis: ${redis.embedded ? 'private redis-server at ' : ''}${redis.url})`);
  console.log(`  curl -i -X POST ${base}/tasks -H 'content-type: application/json' -d '{"title":"Say hello"}'`);
  console.log(`  curl ${base}/tasks/1`);
  console.log(`  curl -i ${base}/products/1`);
  if (product1) console.log(`  curl -i ${base}/products/1 -H 'If-None-Match: ${productETag(product1)}'   (304 until product 1 changes)`);
  console.log(`  dashboard: ${base}/admin/queues`);
  console.log('Ctrl-C to stop.');
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
  console.warn(`cache ${operation} failed for "${key}" (${reason}): answered from the database`);
}
