/**
 * Chapter 9: the ported shop in one process, built from the chapter's reference solutions.
 *
 *   npx tsx tutorials/09-capstone/example.ts
 *
 * One express app mounts the order, product and listing routes and the queue dashboard behind
 * its login; one Worker per queue runs the jobs; the outbox sweeper delivers what a request could
 * not. The example then uses the shop over HTTP as a customer and an admin would, and prints what
 * each step wrote. It imports `solutions/chapter9-capstone/`: point its imports at
 * `exercises/chapter9-capstone/` to run your own port. Private Redis, throwaway SQLite; it exits
 * by itself.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { FlowProducer, Job, Queue, QueueEvents, Worker } from 'bullmq';
import express from 'express';
import { mountDashboard } from '../../src/app/dashboard.js';
import { Cache, connectCacheRedis, RedisStore } from '../../src/cache/index.js';
import { loadConfig } from '../../src/config.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { sweepOutbox } from '../../src/jobs/outbox.js';
import { queryLogOptions, queryReportMiddleware, watchQueries } from '../../src/queries/index.js';
import { queueConnectionOptions, workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';
import { runSalesReport, SALES_REPORT_JOB, scheduleSalesReport, type SalesReportData } from '../../solutions/chapter9-capstone/nightly-sales-report.js';
import { createOrderRouter, ORDERS_QUEUE, RESERVE_STOCK_JOB, STOCK_QUEUE, type OrderJobData } from '../../solutions/chapter9-capstone/place-order.js';
import { finishImport, IMPORTS_QUEUE, IMPORT_BATCHES_QUEUE, startImport, startImportBatchWorker } from '../../solutions/chapter9-capstone/product-import.js';
import { listingRoutes } from '../../solutions/chapter9-capstone/product-listing.js';
import { RESERVE_STOCK_JOB_OPTIONS, startReservationWorker } from '../../solutions/chapter9-capstone/reserve-stock.js';
import { productRoutes, warmProduct, type WarmProductData } from '../../solutions/chapter9-capstone/save-product.js';

const REPORTS_QUEUE = 'reports';
const PRODUCTS_QUEUE = 'products';
const admin = { user: 'admin', password: 'example-password-1234' };

const redis = await acquireRedis(loadConfig().redisUrl);
const prefix = `example-09-${process.pid}`;
// Chapter 1: producers refuse at once while Redis is away; workers wait for it.
const producer = { connection: queueConnectionOptions(redis.url), prefix };
const consumer = { connection: workerConnectionOptions(redis.url), prefix };
const scratch = await createScratchDatabase(queryLogOptions);
// Chapter 6: the query helper sees every statement, so the listing's count can be shown.
const db = watchQueries(scratch.db);
const cacheRedis = await connectCacheRedis(redis.url);
const cache = new Cache({ store: new RedisStore(cacheRedis, `${prefix}:cache`) });

const queues = {
  orders: new Queue<OrderJobData>(ORDERS_QUEUE, producer),
  stock: new Queue<OrderJobData>(STOCK_QUEUE, producer),
  products: new Queue<WarmProductData>(PRODUCTS_QUEUE, producer),
  reports: new Queue<SalesReportData>(REPORTS_QUEUE, producer),
  imports: new Queue(IMPORTS_QUEUE, producer),
  importBatches: new Queue(IMPORT_BATCHES_QUEUE, producer),
};
const flowProducer = new FlowProducer(producer);
const jobOptions = { [RESERVE_STOCK_JOB]: RESERVE_STOCK_JOB_OPTIONS };

// The supplier allows 4 calls a second; it answers 100 units of every SKU but the discontinued ones.
const supplier = async (skus: string[]) => Object.fromEntries(skus.filter((sku) => !sku.endsWith('-X')).map((sku) => [sku, 100]));

const workers = [
  new Worker<OrderJobData>(ORDERS_QUEUE, (job) => db.order.update({ where: { id: job.data.orderId }, data: { confirmedAt: new Date() } }), consumer),
  startReservationWorker({ db, ...consumer }),
  new Worker<WarmProductData>(PRODUCTS_QUEUE, (job) => warmProduct({ db, cache }, job.data.productId), consumer),
  new Worker<SalesReportData>(REPORTS_QUEUE, (job) => runSalesReport(job, db), consumer),
  new Worker(IMPORTS_QUEUE, (job: Job<{ importId: number }>) => finishImport(job, db), consumer),
  startImportBatchWorker({ db, supplier, limiter: { max: 4, duration: 1000 }, concurrency: 2, ...consumer }),
];
const [, reservationWorker, warmWorker] = workers;
const events = Object.fromEntries(
  [STOCK_QUEUE, REPORTS_QUEUE, IMPORTS_QUEUE].map((name) => [name, new QueueEvents(name, consumer)]),
) as Record<string, QueueEvents>;
await Promise.all([...workers, ...Object.values(events)].map((each) => each.waitUntilReady()));

const app = express();
app.use(queryReportMiddleware({ log: () => {} }));
app.use(express.json(), createOrderRouter({ db, queues, jobOptions }), productRoutes({ db, cache, queue: queues.products }), listingRoutes({ db }));
mountDashboard(app, Object.values(queues), { basePath: '/admin/queues', credentials: admin });
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A request to the shop; prints its line and returns the response. */
async function call(method: string, path: string, { body, headers = {} }: { body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
  const text = await response.text();
  const queries = Number(response.headers.get('x-query-count'));
  const shown = isJson && text.length < 120 ? `: ${text}` : '';
  console.log(`   ${method} ${path} -> ${response.status}, ${queries} SQL ${queries === 1 ? 'statement' : 'statements'}${shown}`);
  return { response, json: isJson ? (JSON.parse(text) as unknown) : undefined };
}

try {
  const category = await db.category.create({ data: { name: 'Teapots' } });
  const teapot = await db.product.create({ data: { name: 'Cast iron teapot', sku: 'TEA-1', priceCents: 4500, stock: 3, categoryId: category.id } });

  console.log('1. Two orders for a teapot with 3 in stock: 202 at once, the jobs run after the commit');
  const first = (await call('POST', '/orders', { body: { productId: teapot.id, quantity: 2 } })).json as { orderId: number };
  console.log(`   reserve-stock: ${JSON.stringify(await waitFor(STOCK_QUEUE, `${RESERVE_STOCK_JOB}-${first.orderId}`))}`);
  const retried = once(reservationWorker!, 'failed') as Promise<[Job, Error]>;
  const second = (await call('POST', '/orders', { body: { productId: teapot.id, quantity: 2 } })).json as { orderId: number };
  const [job, error] = await retried;
  console.log(`   reserve-stock-${second.orderId}: ${error.message}; attempt ${job.attemptsMade} of ${job.opts.attempts}, now ${await job.getState()}`);
  console.log(`   stock left: ${(await db.product.findUniqueOrThrow({ where: { id: teapot.id } })).stock}, failure rows: ${await db.jobFailure.count()}`);
  await call('POST', '/orders', { body: { productId: teapot.id, quantity: 1.5 } });

  console.log('\n2. A price change: the cache entry is dropped, a job warms it, and a revalidation answers 304');
  const warmed = once(warmWorker!, 'completed');
  await call('PATCH', `/products/${teapot.id}`, { body: { priceCents: 3900 } });
  await warmed;
  const page = await call('GET', `/products/${teapot.id}`);
  // Node's fetch sends no-cache with If-None-Match unless told otherwise; a browser sends max-age=0.
  await call('GET', `/products/${teapot.id}`, { headers: { 'If-None-Match': page.response.headers.get('etag')!, 'Cache-Control': 'max-age=0' } });
  console.log(`   cache: ${JSON.stringify(cache.stats())}`);

  console.log('\n3. The supplier CSV: 2,000 rows in batches of 250, at most 4 supplier calls a second');
  const rows = Array.from({ length: 2000 }, (_, n) => `SKU-${n}${n % 100 === 99 ? '-X' : ''},Product ${n},${100 + n},${n % 2 ? 'Mugs' : 'Kettles'}`);
  const started = performance.now();
  const { importId, flow } = await startImport({ db, flowProducer, csv: ['sku,name,priceCents,category', ...rows].join('\n'), filename: 'supplier.csv', batchSize: 250 });
  await flow.job.waitUntilFinished(events[IMPORTS_QUEUE]!, 30_000);
  const finished = await db.productImport.findUniqueOrThrow({ where: { id: importId } });
  console.log(`   ${finished.status} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${finished.importedCount} of ${finished.rowCount} rows imported (discontinued SKUs skipped)`);

  console.log('\n4. The listing: the same statements for 20 products as for 100, and 304 when nothing changed');
  await call('GET', '/products?limit=20');
  const listing = await call('GET', '/products?limit=100');
  await call('GET', '/products?limit=100', { headers: { 'If-None-Match': listing.response.headers.get('etag')!, 'Cache-Control': 'max-age=0' } });

  console.log("\n5. The nightly report: the schedule file's scheduler, then today's report run twice");
  await scheduleSalesReport(queues.reports);
  const [scheduler] = await queues.reports.getJobSchedulers();
  console.log(`   scheduler ${scheduler?.key}: "${scheduler?.pattern}" in ${scheduler?.tz}, next ${new Date(scheduler!.next!).toISOString()}`);
  const today = new Date().toISOString().slice(0, 10);
  for (const run of [1, 2]) {
    const report = await queues.reports.add(SALES_REPORT_JOB, { date: today }, { jobId: `report-${today}-run-${run}` });
    console.log(`   run ${run}: ${JSON.stringify(await report.waitUntilFinished(events[REPORTS_QUEUE]!, 10_000))}`);
  }
  console.log(`   ${JSON.stringify(await db.salesReport.findMany({ select: { date: true, orderCount: true, totalCents: true } }))}`);

  console.log('\n6. Operations: the dashboard asks for a login; the outbox sweeper finds nothing left to deliver');
  await call('GET', '/admin/queues');
  const login = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
  await call('GET', '/admin/queues', { headers: { Authorization: login } });
  console.log(`   sweepOutbox delivered ${await sweepOutbox(db, { [ORDERS_QUEUE]: queues.orders, [STOCK_QUEUE]: queues.stock }, jobOptions, { minAgeMs: 0 })} rows`);
} finally {
  // Stop taking requests, then finish the jobs in hand, then close what they used.
  server.close();
  await Promise.all(workers.map((worker) => worker.close()));
  await Promise.all([...Object.values(events).map((each) => each.close()), flowProducer.close()]);
  for (const queue of Object.values(queues)) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await cacheRedis.quit();
  await scratch.dispose();
  await redis.release();
}

/** Waits for one job to finish and returns what it returned. */
async function waitFor(queueName: string, jobId: string): Promise<unknown> {
  const queue = Object.values(queues).find((each) => each.name === queueName)!;
  const found = await Job.fromId(queue, jobId);
  if (!found) throw new Error(`No job ${jobId} on ${queueName}`);
  return found.waitUntilFinished(events[queueName]!, 10_000);
}
