/**
 * Chapter 7: the monitoring of the demo app, start to finish, on a private Redis and a throwaway
 * SQLite file. It exits by itself.
 *
 *   npx tsx tutorials/07-monitoring/example.ts
 *
 * Two queues: `tasks` (the demo app's) and `exports`, where one job fails for good, one waits for
 * a retry, one is scheduled and one has waited five minutes in a paused queue. Then it asks the
 * app what an operator would: the dashboards with and without a login, Server-Timing, /stats,
 * /metrics, and whether the latency alert would fire.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { MetricsTime, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { mountDashboard } from '../../src/app/dashboard.js';
import { Cache, MemoryStore } from '../../src/cache/index.js';
import { createApp } from '../../src/app/server.js';
import { logTask, TASKS_QUEUE, type LogTaskData } from '../../src/app/task-jobs.js';
import { loadConfig } from '../../src/config.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { dashboardCredentialsFromEnv } from '../../src/monitoring/dashboard-auth.js';
import { createLogger, withJobLogging } from '../../src/monitoring/job-logging.js';
import { createQueueMetrics } from '../../src/monitoring/metrics.js';
import type { StatsReport } from '../../src/monitoring/queue-stats.js';
import { queryLogOptions, watchQueries } from '../../src/queries/watch.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

/** Alert when a queue's oldest job has waited longer than this (pick it from the job's promise to users). */
const LATENCY_ALERT_SECONDS = 30;

const scratch = await createScratchDatabase(queryLogOptions);
const db = watchQueries(scratch.db);
const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-07-${process.pid}`;
const logger = createLogger('example');

const tasks = new Queue<LogTaskData>(TASKS_QUEUE, { connection, prefix });
const exports = new Queue('exports', { connection, prefix });
const events = new QueueEvents(TASKS_QUEUE, { connection, prefix });
// Chapter 5's cache, in memory here: /metrics reports its hits and misses beside the queues.
const cache = new Cache({ store: new MemoryStore() });
const metrics = createQueueMetrics({ queues: [tasks, exports], cache });
const workerOptions = { connection, prefix, metrics: { maxDataPoints: MetricsTime.ONE_WEEK } };
const workers = [
  new Worker<LogTaskData>(TASKS_QUEUE, withJobLogging((job) => logTask(job, db), { logger }), workerOptions),
  new Worker(
    'exports',
    withJobLogging(
      async (job: Job) => {
        throw new Error(`export ${job.data.file} failed: disk full`);
      },
      { logger },
    ),
    workerOptions,
  ),
];
for (const worker of workers) metrics.observeWorker(worker);

const admin = dashboardCredentialsFromEnv('DASHBOARD', 'admin', {});
const viewer = dashboardCredentialsFromEnv('DASHBOARD_VIEWER', 'viewer', {});
const app = createApp({ db, tasksQueue: tasks, cache, monitoring: { queues: [tasks, exports], metrics } });
mountDashboard(app, [tasks, exports], { basePath: '/admin/queues', credentials: admin });
mountDashboard(app, [tasks, exports], { basePath: '/ops/queues', credentials: viewer, readOnly: true });
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const auth = (who: { user: string; password: string }) => `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`;

try {
  await events.waitUntilReady();
  console.log('Three tasks through POST /tasks, and four export jobs (JSON log lines follow):');
  for (const title of ['Write the report', 'Send the invoice', 'Call the customer']) {
    const response = await fetch(`${base}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
    const { jobId } = (await response.json()) as { jobId: string };
    await (await tasks.getJob(jobId))!.waitUntilFinished(events, 10_000);
  }
  const dead = await exports.add('csv', { file: 'orders.csv' });
  const retrying = await exports.add('csv', { file: 'users.csv' }, { attempts: 5, backoff: { type: 'fixed', delay: 60_000 } });
  await exports.add('csv', { file: 'monthly.csv' }, { delay: 3_600_000 });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !((await exports.getJobState(dead.id!)) === 'failed' && (await exports.getJob(retrying.id!))?.attemptsMade === 1)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await exports.pause();
  await exports.add('csv', { file: 'stale.csv' }, { timestamp: Date.now() - 5 * 60_000 });

  console.log('\nThe dashboard (M1):');
  const status = async (label: string, path: string, init: RequestInit = {}) =>
    console.log(`   ${label.padEnd(58)} ${(await fetch(base + path, init)).status}`);
  await status('GET /admin/queues without a login', '/admin/queues');
  await status('GET /admin/queues with a wrong password', '/admin/queues', { headers: { authorization: auth({ ...admin, password: 'guess' }) } });
  await status('GET /admin/queues with the login', '/admin/queues', { headers: { authorization: auth(admin) } });
  const retryDead = `/queues/api/queues/exports/${dead.id}/retry`;
  await status('PUT retry, logged in, from another site', `/admin${retryDead}`, {
    method: 'PUT',
    headers: { authorization: auth(admin), 'sec-fetch-site': 'cross-site' },
  });
  await status('PUT retry on the read-only dashboard /ops/queues', `/ops${retryDead}`, {
    method: 'PUT',
    headers: { authorization: auth(viewer), 'sec-fetch-site': 'same-origin' },
  });

  console.log('\nServer-Timing on GET /tasks/1 (M6):');
  console.log(`   ${(await fetch(`${base}/tasks/1`)).headers.get('server-timing')}`);

  console.log('\nGET /stats, Sidekiq::Stats per queue (M2):');
  const stats = (await (await fetch(`${base}/stats`)).json()) as StatsReport;
  console.log('   queue     processed failed enqueued scheduled retries dead latency');
  for (const q of stats.queues) {
    const cells = [q.processed, q.failed, q.enqueued, q.scheduled, q.retries, q.dead].map((n, i) => String(n).padStart([9, 6, 8, 9, 7, 4][i]!));
    console.log(`   ${q.queue.padEnd(8)} ${cells.join(' ')} ${(q.latencyMs / 1000).toFixed(0).padStart(5)} s`);
  }

  console.log('\nGET /products/:id twice: the second is a cache hit (chapter 5)');
  const { id: productId } = await db.product.create({
    data: { name: 'Sencha', priceCents: 1200, category: { create: { name: 'Tea' } } },
  });
  for (let view = 0; view < 2; view++) await fetch(`${base}/products/${productId}`);

  console.log('\nGET /metrics, the bullmq_* and cache_* lines (M4):');
  const scrape = await (await fetch(`${base}/metrics`)).text();
  for (const line of scrape.split('\n')) {
    if (/^(bullmq|cache)_/.test(line) && !/_bucket\{/.test(line)) console.log(`   ${line}`);
  }

  console.log(`\nLatency alert at ${LATENCY_ALERT_SECONDS} s (M5):`);
  for (const q of stats.queues) {
    const seconds = q.latencyMs / 1000;
    console.log(`   ${q.queue}: ${seconds.toFixed(0)} s ${seconds > LATENCY_ALERT_SECONDS ? '-> ALERT: jobs wait too long; are workers running and keeping up?' : 'ok'}`);
  }
} finally {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const worker of workers) await worker.close();
  await events.close();
  for (const queue of [tasks, exports]) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await scratch.dispose();
  await redis.release();
}
