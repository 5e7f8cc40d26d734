import { Queue, QueueEvents, UnrecoverableError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, overlapWrites, postgresSkipReason, useTestEnv, waitUntil, type TestEnv } from '../../test/harness.js';
import { RESERVE_STOCK_JOB, STOCK_QUEUE, type OrderJobData } from './place-order.js';
import { OutOfStockError, RESERVE_STOCK_JOB_OPTIONS, reserveStock, startReservationWorker } from './reserve-stock.js';

/** A product with `stock` units, and an order for `quantity` of it per entry of `quantities`. */
async function productWithOrders(env: TestEnv, stock: number, quantities: number[]) {
  const category = await env.db.category.create({ data: { name: 'Teapots' } });
  const product = await env.db.product.create({ data: { name: 'Cast-iron teapot', priceCents: 1250, categoryId: category.id, stock } });
  const orders = [];
  for (const [n, quantity] of quantities.entries()) {
    orders.push(await env.db.order.create({ data: { reference: `ORD-${n + 1}`, productId: product.id, quantity, totalCents: 1250 * quantity } }));
  }
  return { product, orders };
}

async function stockOf(env: TestEnv, productId: number) {
  return (await env.db.product.findUniqueOrThrow({ where: { id: productId } })).stock;
}

const job = (orderId: number) => ({ data: { orderId } });

describe('RESERVE_STOCK_JOB_OPTIONS', () => {
  it('is retry: 5 in BullMQ terms: six attempts in all, with a backoff between them', () => {
    expect(RESERVE_STOCK_JOB_OPTIONS.attempts).toBe(6);
    expect(RESERVE_STOCK_JOB_OPTIONS.backoff).toBeTruthy();
  });
});

describe('reserveStock', () => {
  const env = useTestEnv();

  it('reserves the order: one StockReservation with its product and quantity, and that many units taken from the stock', async () => {
    const { product, orders } = await productWithOrders(env, 5, [2]);

    const outcome = await reserveStock(job(orders[0]!.id), env.db);

    const reservation = await env.db.stockReservation.findUniqueOrThrow({ where: { orderId: orders[0]!.id } });
    expect(outcome).toEqual({ reserved: true, reservationId: reservation.id });
    expect(reservation).toMatchObject({ productId: product.id, quantity: 2 });
    expect(await stockOf(env, product.id)).toBe(3);
  });

  it('reserves the last units when exactly as many are left as the order wants', async () => {
    const { product, orders } = await productWithOrders(env, 2, [2]);
    await expect(reserveStock(job(orders[0]!.id), env.db)).resolves.toMatchObject({ reserved: true });
    expect(await stockOf(env, product.id)).toBe(0);
  });

  it('takes the stock once when the job runs again for the same order', async () => {
    const { product, orders } = await productWithOrders(env, 5, [2]);
    await reserveStock(job(orders[0]!.id), env.db);

    const again = await reserveStock(job(orders[0]!.id), env.db);

    expect(again).toEqual({ reserved: false, reason: 'already-reserved' });
    expect(await env.db.stockReservation.count()).toBe(1);
    expect(await stockOf(env, product.id)).toBe(3);
  });

  it('throws an OutOfStockError, and writes nothing, when fewer units are left than the order wants', async () => {
    const { product, orders } = await productWithOrders(env, 1, [2]);

    await expect(reserveStock(job(orders[0]!.id), env.db)).rejects.toBeInstanceOf(OutOfStockError);

    expect(await env.db.stockReservation.count()).toBe(0);
    expect(await stockOf(env, product.id)).toBe(1);
  });

  it('answers order-not-found for an order that no longer exists, writing nothing', async () => {
    await expect(reserveStock(job(999), env.db)).resolves.toEqual({ reserved: false, reason: 'order-not-found' });
    expect(await env.db.stockReservation.count()).toBe(0);
  });

  it('throws an UnrecoverableError naming an order whose product was deleted', async () => {
    const { product, orders } = await productWithOrders(env, 5, [1]);
    await env.db.product.delete({ where: { id: product.id } }); // the order's productId becomes null

    const error = await reserveStock(job(orders[0]!.id), env.db).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(new RegExp(`\\b${orders[0]!.id}\\b`));
  });
});

describe('startReservationWorker', () => {
  const env = useTestEnv();

  /**
   * The stock queue and the learner's Worker. `add` uses RESERVE_STOCK_JOB_OPTIONS with a 1 ms
   * fixed backoff, so six attempts take milliseconds, as chapter 4's tests do.
   */
  async function stockQueue() {
    const options = { connection: env.connection, prefix: env.prefix };
    const queue = env.track(new Queue<OrderJobData>(STOCK_QUEUE, options));
    const events = env.track(new QueueEvents(STOCK_QUEUE, options));
    await events.waitUntilReady();
    const worker = env.track(startReservationWorker({ db: env.db, connection: env.connection, prefix: env.prefix }));
    const add = (orderId: number) =>
      queue.add(RESERVE_STOCK_JOB, { orderId }, { ...RESERVE_STOCK_JOB_OPTIONS, backoff: { type: 'fixed', delay: 1 }, jobId: `reserve-stock-${orderId}` });
    return { queue, events, worker, add };
  }

  /** Counts the Worker's `failed` events; `settled(job)` waits until every failed attempt of `job` has been emitted. */
  function countFailures(worker: ReturnType<typeof startReservationWorker>, queue: Queue<OrderJobData>) {
    let seen = 0;
    worker.on('failed', () => seen++);
    return async (job: Job) => {
      const finished = (await queue.getJob(job.id!))!;
      // attemptsMade counts a successful last attempt too.
      const failures = finished.attemptsMade - ((await finished.getState()) === 'completed' ? 1 : 0);
      await waitUntil(() => seen >= failures, { message: `${failures} failed events` });
    };
  }

  it('reserves the stock of an order taken from the stock queue', async () => {
    const { product, orders } = await productWithOrders(env, 5, [2]);
    const { events, add } = await stockQueue();

    const added = await add(orders[0]!.id);

    await expect(added.waitUntilFinished(events, 5000)).resolves.toMatchObject({ reserved: true });
    expect(await stockOf(env, product.id)).toBe(3);
  });

  it('completes a job for an order that no longer exists on its first attempt, recording no failure', async () => {
    const { queue, events, add } = await stockQueue();

    const added = await add(999);

    await expect(added.waitUntilFinished(events, 5000)).resolves.toEqual({ reserved: false, reason: 'order-not-found' });
    expect((await queue.getJob(added.id!))?.attemptsMade).toBe(1);
    expect(await env.db.jobFailure.count()).toBe(0);
  });

  it('retries an order that finds no stock six times in all, then writes one JobFailure with what is needed to replay it', async () => {
    const { orders } = await productWithOrders(env, 0, [1]);
    const { queue, events, worker, add } = await stockQueue();
    const settled = countFailures(worker, queue);

    const added = await add(orders[0]!.id);
    await expect(added.waitUntilFinished(events, 10_000)).rejects.toThrow();
    await settled(added);
    await waitUntil(() => env.db.jobFailure.count(), { message: 'a JobFailure row' });

    expect((await queue.getJob(added.id!))?.attemptsMade).toBe(6);
    const rows = await env.db.jobFailure.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ queue: STOCK_QUEUE, jobName: RESERVE_STOCK_JOB, jobId: added.id, attemptsMade: 6 });
    expect(JSON.parse(rows[0]!.data)).toEqual({ orderId: orders[0]!.id });
    expect(rows[0]!.error).toEqual(expect.any(String));
  });

  it('retries an order that found no stock, reserves it once the product is restocked, and records no failure for the attempt that failed', async () => {
    const { product, orders } = await productWithOrders(env, 0, [1]);
    const { queue, events, worker } = await stockQueue();
    const settled = countFailures(worker, queue);
    // A backoff of a minute, so that the retry waits until the test has restocked and promoted it.
    const added = await queue.add(RESERVE_STOCK_JOB, { orderId: orders[0]!.id }, { ...RESERVE_STOCK_JOB_OPTIONS, backoff: { type: 'fixed', delay: 60_000 } });

    const state = await waitUntil(async () => {
      const now = await queue.getJobState(added.id!);
      return now === 'delayed' || now === 'failed' ? now : undefined;
    }, { message: 'the first attempt to fail' });
    expect(state).toBe('delayed'); // waiting for its retry, not failed for good
    await env.db.product.update({ where: { id: product.id }, data: { stock: 4 } });
    await added.promote(); // Sidekiq's "retry now"

    await expect(added.waitUntilFinished(events, 5000)).resolves.toMatchObject({ reserved: true });
    await settled(added);
    expect(await stockOf(env, product.id)).toBe(3);
    expect(await env.db.jobFailure.count()).toBe(0);
  });

  it('fails an order whose product was deleted at once, without its retries, and records it', async () => {
    const { product, orders } = await productWithOrders(env, 5, [1]);
    await env.db.product.delete({ where: { id: product.id } });
    const { queue, events, add } = await stockQueue();

    const added = await add(orders[0]!.id);
    await expect(added.waitUntilFinished(events, 5000)).rejects.toThrow(new RegExp(`\\b${orders[0]!.id}\\b`));
    await waitUntil(() => env.db.jobFailure.count(), { message: 'a JobFailure row' });

    expect((await queue.getJob(added.id!))?.attemptsMade).toBe(1);
    expect(await env.db.jobFailure.findMany()).toEqual([expect.objectContaining({ jobId: added.id, attemptsMade: 1 })]);
  });
});

// SQLite runs one write transaction at a time, so a "read the stock, then write it" never loses
// there. PostgreSQL runs them side by side, as production does: the races must be won on both.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`reserving when runs overlap, on ${database}`, () => {
    const env = useTestEnv({ database });

    /** Runs `runs` at the same moment; on PostgreSQL, all of them have read before any can write the products. */
    async function together<T>(runs: (() => Promise<T>)[]) {
      // Connections already open, as in a worker that has been up for a while.
      await Promise.all(runs.map(() => env.db.$transaction([env.db.product.count()])));
      const start = () => Promise.allSettled(runs.map((run) => run()));
      return database === 'postgres' ? overlapWrites(env, 'Product', runs.length, start) : start();
    }

    it('reserves once when two deliveries of the same order run at the same time', async () => {
      const { product, orders } = await productWithOrders(env, 5, [2]);

      const outcomes = await together([1, 2].map(() => () => reserveStock(job(orders[0]!.id), env.db)));

      expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.reserved : outcome.reason)).sort()).toEqual([false, true]);
      expect(await env.db.stockReservation.count()).toBe(1);
      expect(await stockOf(env, product.id)).toBe(3);
    });

    it('gives the last unit to exactly one of two orders that want it at the same time, and an OutOfStockError to the other', async () => {
      const { product, orders } = await productWithOrders(env, 1, [1, 1]);

      const outcomes = await together(orders.map((order) => () => reserveStock(job(order.id), env.db)));

      const reserved = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.reserved);
      const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(reserved).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(OutOfStockError);
      expect(await env.db.stockReservation.count()).toBe(1);
      expect(await stockOf(env, product.id)).toBe(0);
    });
  });
}
