import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { backoffByError, NetworkError, TooManyRequestsError } from './backoff-by-error.js';

const env = useTestEnv();

interface Run {
  /** The wait BullMQ chose after each failure (it sets `job.delay` when it schedules a retry). */
  delays: number[];
  /** When each attempt started. */
  startedAt: number[];
}

/**
 * Runs one `notify-carrier` job that throws `errors[0]`, then `errors[1]`, …, then succeeds,
 * on a Worker whose backoff strategy is the learner's.
 */
async function runJobFailingWith(errors: Error[]): Promise<Run> {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('carrier', options));
  const events = env.track(new QueueEvents('carrier', options));
  const run: Run = { delays: [], startedAt: [] };
  const worker = env.track(
    new Worker(
      'carrier',
      async (job: Job) => {
        run.startedAt.push(Date.now());
        const error = errors[job.attemptsMade];
        if (error) throw error;
        return 'notified';
      },
      {
        ...options,
        // 2 ms per Sidekiq second: only Sidekiq's schedule is scaled, never the other two waits.
        settings: { backoffStrategy: backoffByError({ networkErrorMs: 5, msPerSecond: 2, random: () => 0 }) },
      },
    ),
  );
  worker.on('failed', (job) => {
    if (job) run.delays.push(job.delay);
  });
  await events.waitUntilReady();
  const job = await queue.add('notify-carrier', { shipmentId: 12 }, { attempts: errors.length + 1, backoff: { type: 'custom' } });
  await expect(job.waitUntilFinished(events, 5000)).resolves.toBe('notified');
  return run;
}

function gaps(startedAt: number[]): number[] {
  return startedAt.slice(1).map((start, i) => start - startedAt[i]!);
}

it('retries a network error after the short fixed wait', async () => {
  const run = await runJobFailingWith([new NetworkError('ECONNRESET'), new NetworkError('ETIMEDOUT')]);
  expect(run.delays).toEqual([5, 5]);
  for (const gap of gaps(run.startedAt)) expect(gap).toBeGreaterThanOrEqual(5);
});

it('waits as long as a 429 answer asked, however many attempts came before', async () => {
  const run = await runJobFailingWith([new TooManyRequestsError('slow down', 120), new TooManyRequestsError('slow down', 40)]);
  expect(run.delays).toEqual([120, 40]);
  const [first, second] = gaps(run.startedAt);
  expect(first).toBeGreaterThanOrEqual(120);
  expect(second).toBeGreaterThanOrEqual(40);
});

it("falls back to Sidekiq's default schedule for any other error (15 then 16 seconds, here 2 ms each)", async () => {
  const run = await runJobFailingWith([new Error('carrier returned 500'), new TypeError('bad JSON')]);
  expect(run.delays).toEqual([30, 32]);
});

it('chooses per failure, so mixed errors get mixed waits', async () => {
  const run = await runJobFailingWith([new TooManyRequestsError('slow down', 30), new NetworkError('EPIPE'), new Error('500')]);
  // The third failure is BullMQ's attemptsMade 3, Sidekiq's retry count 2: 2**4 + 15 = 31 seconds, 62 ms here.
  expect(run.delays).toEqual([30, 5, 62]);
});
