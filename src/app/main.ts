/**
 * `npm start`: the demo app. An express server whose route enqueues a job, a worker in the same
 * process that runs it, and the queue dashboard, all on the embedded defaults.
 */
import { Queue, Worker } from 'bullmq';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import { queueConnectionOptions, workerConnectionOptions } from '../redis/connection.js';
import { acquireRedis } from '../redis/redis-url.js';
import { closeOnSignals } from '../worker/shutdown.js';
import { mountDashboard } from './dashboard.js';
import { createApp } from './server.js';
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

const app = createApp({ db, tasksQueue });
mountDashboard(app, [tasksQueue]);
const server = app.listen(config.port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${config.port}`;
  console.log(`Demo app on ${base} (Redis: ${redis.embedded ? 'private redis-server at ' : ''}${redis.url})`);
  console.log(`  curl -i -X POST ${base}/tasks -H 'content-type: application/json' -d '{"title":"Say hello"}'`);
  console.log(`  curl ${base}/tasks/1`);
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
  () => redis.release(),
]);
