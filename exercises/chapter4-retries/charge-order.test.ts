import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { chargeOrder } from './charge-order.js';

const env = useTestEnv();

const noon = new Date('2026-03-02T12:00:00Z');

function createOrder() {
  return env.db.order.create({ data: { reference: 'ORD-1001', totalCents: 2500 } });
}

/** A `billing` queue whose Worker runs `chargeOrder` for two jobs at a time. */
async function billing() {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('billing', options));
  const events = env.track(new QueueEvents('billing', options));
  await events.waitUntilReady();
  const startWorker = () =>
    env.track(
      new Worker('billing', (job: Job<{ orderId: number }>) => chargeOrder(env.db, job.data.orderId, () => noon), {
        ...options,
        concurrency: 2,
      }),
    );
  return { queue, events, startWorker };
}

it('charges a pending order: status, one charge, and the time from the clock', async () => {
  const order = await createOrder();
  await expect(chargeOrder(env.db, order.id, () => noon)).resolves.toBe('charged');
  expect(await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
    status: 'charged',
    chargeCount: 1,
    chargedAt: noon,
  });
});

it('charges once when two deliveries of the same order run at the same time on a Worker', async () => {
  const order = await createOrder();
  const { queue, events, startWorker } = await billing();
  // Two jobs for one order, as after a duplicate enqueue or a redelivery; both wait before the Worker starts.
  const jobs = await Promise.all([1, 2].map(() => queue.add('charge-order', { orderId: order.id })));
  startWorker();
  const outcomes = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 5000)));

  expect(outcomes.sort()).toEqual(['already-charged', 'charged']);
  expect(await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({ chargeCount: 1, status: 'charged' });
});

it('charges once when five runs overlap, and only one of them reports the charge', async () => {
  const order = await createOrder();
  const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => chargeOrder(env.db, order.id, () => noon)));

  expect(outcomes.filter((outcome) => outcome === 'charged')).toHaveLength(1);
  expect((await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).chargeCount).toBe(1);
});

it('leaves an order that was charged earlier as it was', async () => {
  const order = await createOrder();
  await env.db.order.update({ where: { id: order.id }, data: { status: 'charged', chargeCount: 1, chargedAt: new Date('2026-01-01T00:00:00Z') } });
  await expect(chargeOrder(env.db, order.id, () => noon)).resolves.toBe('already-charged');
  expect(await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
    chargeCount: 1,
    chargedAt: new Date('2026-01-01T00:00:00Z'),
  });
});

it('fails a job for a missing order at once, without using its retries, and says which order', async () => {
  const { queue, events, startWorker } = await billing();
  startWorker();
  const job = await queue.add('charge-order', { orderId: 999 }, { attempts: 5, backoff: { type: 'fixed', delay: 1 } });
  await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow(/999/);

  const failed = await queue.getJob(job.id!);
  expect(failed?.attemptsMade).toBe(1);
  expect(await failed?.getState()).toBe('failed');
});
