import { Queue, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { sidekiqStats } from './queue-stats.js';

const env = useTestEnv();

/** A `reports` queue whose Worker keeps metrics; jobs named `broken` always fail. */
function reports() {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('reports', options));
  const worker = env.track(
    new Worker(
      'reports',
      async (job: Job) => {
        if (job.name === 'broken') throw new Error('report broke');
        return 'ok';
      },
      { ...options, metrics: { maxDataPoints: 60 } },
    ),
  );
  return { queue, worker };
}

it('is all zeros for a new queue', async () => {
  const { queue } = reports();
  expect(await sidekiqStats(queue)).toEqual({ processed: 0, failed: 0, enqueued: 0, scheduled: 0, retries: 0, dead: 0 });
});

it('counts processed and failed jobs from the metrics BullMQ keeps, even after the jobs are removed', async () => {
  const { queue } = reports();
  await queue.add('daily', {}, { removeOnComplete: true });
  await queue.add('daily', {}, { removeOnComplete: true });
  await queue.add('weekly', {}, { removeOnComplete: true });
  await queue.add('broken', {}, { removeOnFail: true });
  await waitUntil(async () => (await queue.getMetrics('failed', 0, 0)).meta.count === 1 && (await queue.getMetrics('completed', 0, 0)).meta.count === 3, {
    message: '3 processed and 1 failed',
  });

  expect(await sidekiqStats(queue)).toMatchObject({ processed: 3, failed: 1, dead: 0 });
});

it('counts waiting and prioritized jobs as enqueued', async () => {
  const { queue, worker } = reports();
  await worker.close();
  await queue.add('daily', {});
  await queue.add('urgent', {}, { priority: 1 });
  await queue.add('later', {}, { priority: 5 });

  expect(await sidekiqStats(queue)).toMatchObject({ enqueued: 3, scheduled: 0, retries: 0 });
});

it('tells scheduled jobs from retries among the delayed ones, and counts dead jobs', async () => {
  const { queue } = reports();
  await queue.add('daily', {}, { delay: 60_000 });
  await queue.add('weekly', {}, { delay: 120_000 });
  const retrying = await queue.add('broken', {}, { attempts: 3, backoff: { type: 'fixed', delay: 60_000 } });
  const dead = await queue.add('broken', {});
  await waitUntil(async () => (await queue.getJob(retrying.id!))?.attemptsMade === 1 && (await queue.getJobState(dead.id!)) === 'failed', {
    message: 'one retry waiting and one dead job',
  });

  expect(await sidekiqStats(queue)).toMatchObject({ enqueued: 0, scheduled: 2, retries: 1, dead: 1, failed: 1 });
});
