import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, overlapWrites, postgresSkipReason, useTestEnv, type TestEnv } from '../../test/harness.js';
import { chargeOrder } from './charge-order.js';

const noon = new Date('2026-03-02T12:00:00Z');

function createOrder(env: TestEnv) {
  return env.db.order.create({ data: { reference: 'ORD-1001', totalCents: 2500 } });
}

/** A `billing` queue whose Worker runs `chargeOrder` for two jobs at a time. */
async function billing(env: TestEnv) {
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

describe('chargeOrder', () => {
  const env = useTestEnv();

  it('charges a pending order: status, one charge, and the time from the clock', async () => {
    const order = await createOrder(env);
    await expect(chargeOrder(env.db, order.id, () => noon)).resolves.toBe('charged');
    expect(await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      status: 'charged',
      chargeCount: 1,
      chargedAt: noon,
    });
  });

  it('leaves an order that was charged earlier as it was', async () => {
    const order = await createOrder(env);
    await env.db.order.update({ where: { id: order.id }, data: { status: 'charged', chargeCount: 1, chargedAt: new Date('2026-01-01T00:00:00Z') } });
    await expect(chargeOrder(env.db, order.id, () => noon)).resolves.toBe('already-charged');
    expect(await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      chargeCount: 1,
      chargedAt: new Date('2026-01-01T00:00:00Z'),
    });
  });

  it('throws an UnrecoverableError naming a missing order', async () => {
    const error = await chargeOrder(env.db, 999, () => noon).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/\b999\b/);
  });

  it('fails a job for a missing order at once, without using its retries, and says which order', async () => {
    const { queue, events, startWorker } = await billing(env);
    startWorker();
    const job = await queue.add('charge-order', { orderId: 999 }, { attempts: 5, backoff: { type: 'fixed', delay: 1 } });
    await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow(/999/);

    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(await failed?.getState()).toBe('failed');
  });
});

// SQLite runs one write transaction at a time, so a "check, then update" charge never loses there.
// PostgreSQL runs them side by side, as production does: the race must be won on both.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`charging once when runs overlap, on ${database}`, () => {
    const env = useTestEnv({ database });

    it('charges once when two deliveries of the same order run at the same time on a Worker', async () => {
      const order = await createOrder(env);
      const { queue, events, startWorker } = await billing(env);
      // Two jobs for one order, as after a duplicate enqueue or a redelivery; both wait before the Worker starts.
      const jobs = await Promise.all([1, 2].map(() => queue.add('charge-order', { orderId: order.id })));
      // Connections already open, as in a worker that has been up for a while.
      await Promise.all([1, 2].map(() => env.db.$transaction([env.db.order.count()])));
      const runBoth = () => {
        startWorker();
        return Promise.all(jobs.map((job) => job.waitUntilFinished(events, 5000)));
      };
      // On PostgreSQL the two runs overlap for certain: both have read the order before either can write it.
      const outcomes = database === 'postgres' ? await overlapWrites(env, 'Order', 2, runBoth) : await runBoth();

      expect(outcomes.sort()).toEqual(['already-charged', 'charged']);
      expect(await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({ chargeCount: 1, status: 'charged' });
    });

    it('charges once when five runs overlap, and only one of them reports the charge', async () => {
      const order = await createOrder(env);
      // Five runs on connections already open, as in a worker that has been up for a while.
      await Promise.all([1, 2, 3, 4, 5].map(() => env.db.$transaction([env.db.order.count()])));
      const fiveRuns = () => Promise.all([1, 2, 3, 4, 5].map(() => chargeOrder(env.db, order.id, () => noon)));
      // On PostgreSQL the runs overlap for certain: all of them have read the order before any can write it.
      const outcomes = database === 'postgres' ? await overlapWrites(env, 'Order', 5, fiveRuns) : await fiveRuns();

      expect(outcomes.filter((outcome) => outcome === 'charged')).toHaveLength(1);
      expect((await env.db.order.findUniqueOrThrow({ where: { id: order.id } })).chargeCount).toBe(1);
    });
  });
}
