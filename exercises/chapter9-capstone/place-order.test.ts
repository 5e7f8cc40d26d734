import { Queue, type JobsOptions } from 'bullmq';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/client.js';
import { sweepOutbox } from '../../src/jobs/outbox.js';
import { queueConnectionOptions } from '../../src/redis/connection.js';
import { startEmbeddedRedis } from '../../src/redis/embedded-server.js';
import { DATABASE_KINDS, postgresSkipReason, serve, useTestEnv, type TestEnv } from '../../test/harness.js';
import { CONFIRM_ORDER_JOB, createOrderRouter, ORDERS_QUEUE, RESERVE_STOCK_JOB, STOCK_QUEUE, type OrderJobData } from './place-order.js';

type OrderQueues = { orders: Queue<OrderJobData>; stock: Queue<OrderJobData> };

/** The two queues on the test's own Redis. */
function liveQueues(env: TestEnv): OrderQueues {
  const options = { connection: env.connection, prefix: env.prefix };
  return {
    orders: env.track(new Queue<OrderJobData>(ORDERS_QUEUE, options)),
    stock: env.track(new Queue<OrderJobData>(STOCK_QUEUE, options)),
  };
}

/**
 * The two queues as chapter 1's producer queues on a Redis of their own, which is then stopped:
 * every add is refused at once, as in an outage. No reconnecting, so the queues can be closed.
 */
async function deadQueues(env: TestEnv): Promise<OrderQueues> {
  const redis = await startEmbeddedRedis();
  env.track({ close: () => redis.stop() });
  const open = async (name: string) => {
    const queue = new Queue<OrderJobData>(name, { connection: { ...queueConnectionOptions(redis.url), retryStrategy: () => null }, prefix: env.prefix });
    queue.on('error', () => {});
    env.track({ close: () => queue.close().catch(() => {}) }); // QUIT cannot reach a stopped Redis
    await queue.waitUntilReady();
    return queue;
  };
  const queues = { orders: await open(ORDERS_QUEUE), stock: await open(STOCK_QUEUE) };
  await redis.stop();
  return queues;
}

/** A real HTTP server on a free port with the learner's router; returns a POST helper. */
async function startApp(env: TestEnv, queues: OrderQueues, jobOptions?: Record<string, JobsOptions>) {
  const url = `${await serve(env, express().use(express.json(), createOrderRouter({ db: env.db, queues, jobOptions })))}/orders`;
  return async (body: unknown) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // An unhandled error is express's HTML 500 page, not JSON.
    const json = response.headers.get('content-type')?.includes('application/json');
    return { status: response.status, body: (json ? await response.json() : { html: await response.text() }) as Record<string, unknown> };
  };
}

async function createProduct(env: TestEnv, priceCents = 1250) {
  const category = await env.db.category.create({ data: { name: 'Teapots' } });
  return env.db.product.create({ data: { name: 'Cast-iron teapot', priceCents, categoryId: category.id, stock: 10 } });
}

/** Every job waiting in both queues, as [queue, name, data], sorted. */
async function waitingJobs(queues: OrderQueues) {
  const jobs = [...(await queues.orders.getJobs(['waiting'])), ...(await queues.stock.getJobs(['waiting']))];
  return jobs.map((job) => [job.queueName, job.name, job.data] as const).sort((a, b) => a[1].localeCompare(b[1]));
}

// Writes that race show only on PostgreSQL; both databases must give the same answers.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`POST /orders on ${database}`, () => {
    const env = useTestEnv({ database });

    it('answers 202 with the order id, writes the order with its total, and leaves both jobs waiting with the order id', async () => {
      const queues = liveQueues(env);
      const post = await startApp(env, queues);
      const product = await createProduct(env, 1250);

      const response = await post({ productId: product.id, quantity: 3 });

      expect(response.status).toBe(202);
      const [order, ...others] = await env.db.order.findMany();
      expect(others).toEqual([]);
      expect(response.body.orderId).toBe(order!.id);
      expect(order).toMatchObject({ productId: product.id, quantity: 3, totalCents: 3750, status: 'pending' });
      expect(order!.reference).toEqual(expect.any(String));
      expect(await waitingJobs(queues)).toEqual([
        [ORDERS_QUEUE, CONFIRM_ORDER_JOB, { orderId: order!.id }],
        [STOCK_QUEUE, RESERVE_STOCK_JOB, { orderId: order!.id }],
      ]);
      expect(await env.db.outboxJob.count()).toBe(0);
    });

    it('gives every order a reference of its own, and every job an id of its own', async () => {
      const queues = liveQueues(env);
      const post = await startApp(env, queues);
      const product = await createProduct(env);

      const responses = [await post({ productId: product.id, quantity: 1 }), await post({ productId: product.id, quantity: 2 })];

      expect(responses.map((response) => response.status)).toEqual([202, 202]);
      const orders = await env.db.order.findMany();
      expect(new Set(orders.map((order) => order.reference)).size).toBe(2);
      const jobs = [...(await queues.orders.getJobs(['waiting'])), ...(await queues.stock.getJobs(['waiting']))];
      expect(jobs).toHaveLength(4);
      expect(new Set(jobs.map((job) => `${job.queueName}/${job.id}`)).size).toBe(4);
    });

    it('adds each job with the options given for its name', async () => {
      const queues = liveQueues(env);
      const post = await startApp(env, queues, { [RESERVE_STOCK_JOB]: { attempts: 6, backoff: { type: 'fixed', delay: 1000 } } });
      const product = await createProduct(env);

      expect((await post({ productId: product.id, quantity: 1 })).status).toBe(202);

      const [reserve] = await queues.stock.getJobs(['waiting']);
      expect(reserve?.opts).toMatchObject({ attempts: 6, backoff: { type: 'fixed', delay: 1000 } });
    });

    it('adds the jobs only once the order is committed: a worker that takes one at once finds the order', async () => {
      // A worker is another process, on a database connection of its own: it sees committed rows only.
      const worker = await createDatabase(env.databaseUrl);
      env.track({ close: () => worker.$disconnect() });
      const queues = liveQueues(env);
      const foundByWorker: unknown[] = [];
      // The worker looks the order up the instant a job is in Redis, before the route goes on.
      for (const queue of [queues.orders, queues.stock]) {
        const add = queue.add.bind(queue);
        queue.add = (async (...args: Parameters<typeof add>) => {
          const job = await add(...args);
          foundByWorker.push(await worker.order.findUnique({ where: { id: job.data.orderId } }));
          return job;
        }) as typeof queue.add;
        const addBulk = queue.addBulk.bind(queue);
        queue.addBulk = (async (...args: Parameters<typeof addBulk>) => {
          const jobs = await addBulk(...args);
          for (const job of jobs) foundByWorker.push(await worker.order.findUnique({ where: { id: job.data.orderId } }));
          return jobs;
        }) as typeof queue.addBulk;
      }
      const post = await startApp(env, queues);
      const product = await createProduct(env);

      const response = await post({ productId: product.id, quantity: 2 });

      expect(response.status).toBe(202);
      expect(foundByWorker).toEqual([
        expect.objectContaining({ id: response.body.orderId, quantity: 2 }),
        expect.objectContaining({ id: response.body.orderId, quantity: 2 }),
      ]);
    });

    it('still answers 202 when Redis refuses the jobs, keeps the order and its outbox rows, and the sweeper delivers each job once', async () => {
      const queues = await deadQueues(env);
      const post = await startApp(env, queues);
      const product = await createProduct(env);

      const response = await post({ productId: product.id, quantity: 1 });

      expect(response.status).toBe(202);
      const order = await env.db.order.findUniqueOrThrow({ where: { id: response.body.orderId as number } });
      expect(await env.db.outboxJob.count()).toBe(2);

      // Redis is back: the sweeper, twice over (as two app processes would), delivers what the request could not.
      const live = liveQueues(env);
      const byName = { [ORDERS_QUEUE]: live.orders, [STOCK_QUEUE]: live.stock };
      const delivered = await sweepOutbox(env.db, byName, {}, { minAgeMs: 0 });
      await sweepOutbox(env.db, byName, {}, { minAgeMs: 0 });
      expect(delivered).toBe(2);
      expect(await waitingJobs(live)).toEqual([
        [ORDERS_QUEUE, CONFIRM_ORDER_JOB, { orderId: order.id }],
        [STOCK_QUEUE, RESERVE_STOCK_JOB, { orderId: order.id }],
      ]);
      expect(await env.db.outboxJob.count()).toBe(0);
    });

    it('adds each job once when Redis took it but its answer was lost, and the sweeper delivers the row again', async () => {
      const queues = liveQueues(env);
      // Redis stores each job, then the reply never reaches the route (a timeout, a dropped
      // connection): to the route the add failed, so the outbox row stays for the sweeper.
      for (const queue of [queues.orders, queues.stock]) {
        const add = queue.add.bind(queue);
        queue.add = (async (...args: Parameters<typeof add>) => {
          await add(...args);
          throw new Error('Connection is closed.');
        }) as typeof queue.add;
      }
      const post = await startApp(env, queues);
      const product = await createProduct(env);

      expect((await post({ productId: product.id, quantity: 1 })).status).toBe(202);
      expect(await env.db.outboxJob.count()).toBe(2);

      const live = liveQueues(env);
      await sweepOutbox(env.db, { [ORDERS_QUEUE]: live.orders, [STOCK_QUEUE]: live.stock }, {}, { minAgeMs: 0 });
      expect(await env.db.outboxJob.count()).toBe(0);
      expect(await live.orders.count()).toBe(1);
      expect(await live.stock.count()).toBe(1);
    });

    it.each([
      ['no productId', { quantity: 1 }],
      ['a productId that is text', { productId: '1', quantity: 1 }],
      ['a productId too large for an id', { productId: 2_147_483_648, quantity: 1 }],
      ['no quantity', { productId: 1 }],
      ['a quantity of 0', { productId: 1, quantity: 0 }],
      ['a negative quantity', { productId: 1, quantity: -2 }],
      ['a fractional quantity', { productId: 1, quantity: 1.5 }],
      ['a quantity that is text', { productId: 1, quantity: '2' }],
      ['a total above 2147483647 cents', { productId: 1, quantity: 2_000_000 }],
    ])('answers 400 with an error message for %s, and writes and enqueues nothing', async (_case, body) => {
      const queues = liveQueues(env);
      const post = await startApp(env, queues);
      await createProduct(env, 1250); // id 1

      const response = await post(body);

      expect(response.status).toBe(400);
      expect(response.body.error).toEqual(expect.any(String));
      expect(await env.db.order.count()).toBe(0);
      expect(await env.db.outboxJob.count()).toBe(0);
      expect((await queues.orders.count()) + (await queues.stock.count())).toBe(0);
    });

    it('answers 404 with an error message for a product that does not exist, and writes and enqueues nothing', async () => {
      const queues = liveQueues(env);
      const post = await startApp(env, queues);

      const response = await post({ productId: 404, quantity: 1 });

      expect(response.status).toBe(404);
      expect(response.body.error).toEqual(expect.any(String));
      expect(await env.db.order.count()).toBe(0);
      expect(await env.db.outboxJob.count()).toBe(0);
      expect((await queues.orders.count()) + (await queues.stock.count())).toBe(0);
    });
  });
}
