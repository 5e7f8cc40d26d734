import { Queue, QueueEvents, Worker } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { attemptsFor } from './retry-attempts.js';

const env = useTestEnv();

/** Runs one always-failing job with `attempts` and resolves with how many times it ran. */
async function runsOfAlwaysFailingJob(attempts: number): Promise<number> {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('sync-inventory', options));
  const events = env.track(new QueueEvents('sync-inventory', options));
  let runs = 0;
  env.track(
    new Worker(
      'sync-inventory',
      async () => {
        runs++;
        throw new Error('warehouse API is down');
      },
      options,
    ),
  );
  await events.waitUntilReady();
  // A 1 ms fixed backoff keeps the test fast; the number of runs is what is checked.
  const job = await queue.add('sync', { sku: 'A-1' }, { attempts, backoff: { type: 'fixed', delay: 1 } });
  await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow('warehouse API is down');
  expect(await queue.getJobState(job.id!)).toBe('failed');
  expect((await queue.getJob(job.id!))?.attemptsMade).toBe(runs);
  return runs;
}

it('turns retry: 5 into a job that runs 6 times before it stays failed', async () => {
  expect(await runsOfAlwaysFailingJob(attemptsFor(5))).toBe(6);
});

it('turns retry: 0 into a single run', async () => {
  expect(await runsOfAlwaysFailingJob(attemptsFor(0))).toBe(1);
});

it("maps retry: true to Sidekiq's default of 25 retries and retry: false to none", () => {
  expect(attemptsFor(true)).toBe(26);
  expect(attemptsFor(false)).toBe(1);
});

it.each([
  [-1, /-1/],
  [2.5, /2\.5/],
  [Number.NaN, /NaN/],
])('rejects retry: %s with a RangeError naming it', (retry, named) => {
  expect(() => attemptsFor(retry)).toThrow(RangeError);
  expect(() => attemptsFor(retry)).toThrow(named);
});
