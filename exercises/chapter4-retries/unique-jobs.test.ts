import { Queue, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { enqueueInvoice } from './unique-jobs.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });

function invoicesQueue() {
  return env.track(new Queue('invoices', options()));
}

/** Starts a Worker that records the order id of every run. */
function startWorker(runs: number[]) {
  return env.track(
    new Worker(
      'invoices',
      async (job: Job<{ orderId: number }>) => {
        runs.push(job.data.orderId);
      },
      options(),
    ),
  );
}

/**
 * Resolves once `runs` has `atLeast` entries and nothing is waiting, delayed or running, so a
 * duplicate job would have had its run too. (Completed counts are not used: a solution may
 * remove finished jobs.)
 */
async function drained(queue: Queue, runs: number[], atLeast: number) {
  await waitUntil(
    async () => {
      if (runs.length < atLeast) return false;
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    },
    { message: `${atLeast} runs and an empty queue` },
  );
}

it('enqueues the same order twice and runs it once', async () => {
  const queue = invoicesQueue();
  const first = await enqueueInvoice(queue, 7);
  const second = await enqueueInvoice(queue, 7);
  expect(second.id).toBe(first.id);
  expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });

  const runs: number[] = [];
  startWorker(runs);
  await drained(queue, runs, 1);
  expect(runs).toEqual([7]);
});

it('keeps different orders apart', async () => {
  const queue = invoicesQueue();
  await enqueueInvoice(queue, 1);
  await enqueueInvoice(queue, 2);
  await enqueueInvoice(queue, 1);
  const runs: number[] = [];
  startWorker(runs);
  await drained(queue, runs, 2);
  expect(runs.sort()).toEqual([1, 2]);
});

it('lets the same order run again once the first job has finished (until_executed, not forever)', async () => {
  const queue = invoicesQueue();
  const runs: number[] = [];
  startWorker(runs);
  await enqueueInvoice(queue, 7);
  await drained(queue, runs, 1);
  await enqueueInvoice(queue, 7);
  await drained(queue, runs, 2);
  expect(runs).toEqual([7, 7]);
});

it.each([0, -4, 2.5, Number.NaN])('rejects the order id %s with a RangeError, and adds nothing', async (orderId) => {
  const queue = invoicesQueue();
  await expect(enqueueInvoice(queue, orderId)).rejects.toThrow(RangeError);
  expect(await queue.count()).toBe(0);
});
