import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { recordFailureIfFinal } from './record-final-failure.js';

const env = useTestEnv();

/**
 * A `payments` Worker whose processor is `process`, with the learner's function on its `failed`
 * event (as a real app would wire it). `settled(n)` waits for the event to have fired `n` times
 * (QueueEvents may report the job finished a moment before the Worker emits `failed`), then for
 * every call it started.
 */
function paymentsWorker(process: (job: Job) => Promise<unknown>) {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('payments', options));
  const events = env.track(new QueueEvents('payments', options));
  const worker = env.track(new Worker('payments', process, options));
  const calls: Promise<unknown>[] = [];
  worker.on('failed', (job, error) => {
    if (!job) return;
    const call = Promise.resolve().then(() => recordFailureIfFinal(env.db, job, error));
    call.catch(() => {}); // reported by settled(), not as an unhandled rejection
    calls.push(call);
  });
  const settled = async (failures: number) => {
    await waitUntil(() => calls.length >= failures, { message: `${failures} failed events` });
    return Promise.all(calls);
  };
  return { queue, events, settled };
}

it('writes one failure row, with everything needed to replay the job, once the last attempt fails', async () => {
  const { queue, events, settled } = paymentsWorker(async () => {
    throw new Error('card declined');
  });
  await events.waitUntilReady();
  const job = await queue.add('charge', { orderId: 42, cents: 1999 }, { attempts: 3, backoff: { type: 'fixed', delay: 1 } });
  await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow('card declined');
  await settled(3);

  const rows = await env.db.jobFailure.findMany();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ queue: 'payments', jobName: 'charge', jobId: job.id, attemptsMade: 3 });
  expect(rows[0]!.error).toContain('card declined');
  expect(JSON.parse(rows[0]!.data)).toEqual({ orderId: 42, cents: 1999 });
});

it('records the only failure of a job added without an attempts option (BullMQ runs it once)', async () => {
  const { queue, events, settled } = paymentsWorker(async () => {
    throw new Error('card expired');
  });
  await events.waitUntilReady();
  const job = await queue.add('charge', { orderId: 8 });
  await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow('card expired');
  await settled(1);

  const rows = await env.db.jobFailure.findMany();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ jobId: job.id, attemptsMade: 1 });
});

it('writes nothing when a retry succeeds, although earlier attempts failed', async () => {
  const { queue, events, settled } = paymentsWorker(async (job) => {
    if (job.attemptsMade < 2) throw new Error('gateway timeout');
    return 'paid';
  });
  await events.waitUntilReady();
  const job = await queue.add('charge', { orderId: 7 }, { attempts: 3, backoff: { type: 'fixed', delay: 1 } });
  await expect(job.waitUntilFinished(events, 5000)).resolves.toBe('paid');
  const results = await settled(2);

  expect(results).toEqual([null, null]);
  expect(await env.db.jobFailure.count()).toBe(0);
});

it('records an UnrecoverableError at once, with its reason, though attempts were left', async () => {
  const { queue, events, settled } = paymentsWorker(async () => {
    throw new UnrecoverableError('order 404 no longer exists');
  });
  await events.waitUntilReady();
  const job = await queue.add('charge', { orderId: 404 }, { attempts: 5, backoff: { type: 'fixed', delay: 1 } });
  await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow('order 404 no longer exists');
  await settled(1);

  const rows = await env.db.jobFailure.findMany();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ jobId: job.id, attemptsMade: 1 });
  expect(rows[0]!.error).toContain('order 404 no longer exists');
});
