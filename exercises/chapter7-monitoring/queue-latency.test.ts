import { Queue, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { queueLatency } from './queue-latency.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });
const MINUTE = 60_000;

it('is 0 when nothing waits', async () => {
  const queue = env.track(new Queue('exports', options()));
  expect(await queueLatency(queue, Date.now())).toBe(0);
});

it('is the age of the job that has waited longest', async () => {
  const queue = env.track(new Queue('exports', options()));
  const t0 = Date.now() - 10 * MINUTE;
  await queue.add('csv', {}, { timestamp: t0 });
  await queue.add('csv', {}, { timestamp: t0 + MINUTE });
  await queue.add('csv', {}, { timestamp: t0 + 2 * MINUTE });

  expect(await queueLatency(queue, t0 + 5 * MINUTE)).toBe(5 * MINUTE);
});

it('does not count a job that is running, only the ones still waiting', async () => {
  const queue = env.track(new Queue('exports', options()));
  let release!: () => void;
  const running = new Promise<void>((resolve) => (release = resolve));
  env.track(new Worker('exports', () => running, options()));
  // Closed before the Worker (newest first), so its close() does not wait on a job that never ends.
  env.track({ close: async () => release() });
  const t0 = Date.now() - 10 * MINUTE;
  const first = await queue.add('csv', {}, { timestamp: t0 });
  await waitUntil(async () => (await queue.getJobState(first.id!)) === 'active', { message: 'the first job to start' });
  await queue.pause();
  // The running job started (processedOn) before the waiting one was added: counted, it would be the oldest.
  const started = (await queue.getJob(first.id!))!.processedOn!;
  await queue.add('csv', {}, { timestamp: started + 4 * MINUTE });

  expect(await queueLatency(queue, started + 5 * MINUTE)).toBe(MINUTE);
});

it('finds the oldest prioritized job, which is not the most urgent one', async () => {
  const queue = env.track(new Queue('exports', options()));
  const t0 = Date.now() - 10 * MINUTE;
  await queue.add('pdf', {}, { priority: 10, timestamp: t0 });
  await queue.add('pdf', {}, { priority: 1, timestamp: t0 + 3 * MINUTE });
  await queue.add('pdf', {}, { priority: 5, timestamp: t0 + 4 * MINUTE });

  expect(await queueLatency(queue, t0 + 5 * MINUTE)).toBe(5 * MINUTE);
});

it('counts a retried job from its last attempt, not from when it was first added', async () => {
  const queue = env.track(new Queue('exports', options()));
  // Fail the first attempt and pause the queue, so the retry stays in `waiting` to be measured.
  env.track(
    new Worker(
      'exports',
      async (job: Job) => {
        if (job.attemptsMade === 0) {
          await queue.pause();
          throw new Error('S3 said 503');
        }
      },
      options(),
    ),
  );
  const addedAnHourAgo = Date.now() - 60 * MINUTE;
  const job = await queue.add('csv', {}, { attempts: 3, timestamp: addedAnHourAgo });
  const retry = await waitUntil(
    async () => {
      const current = await queue.getJob(job.id!);
      return current?.attemptsMade === 1 && (await current.getState()) === 'waiting' ? current : undefined;
    },
    { message: 'the job to wait for its retry' },
  );

  const latency = await queueLatency(queue, retry.processedOn! + 2000);
  expect(latency).toBeGreaterThan(0);
  expect(latency).toBeLessThanOrEqual(2000);
});
