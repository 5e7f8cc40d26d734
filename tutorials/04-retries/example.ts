/**
 * Chapter 4: retries, backoff chosen by error, and what happens after the last failure.
 *
 *   npx tsx tutorials/04-retries/example.ts
 *
 * One Worker, four jobs, on a private Redis and a throwaway SQLite file. Sidekiq's schedule runs
 * with 1 ms standing for 1 s, so twenty-odd "seconds" of backoff pass in a blink.
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';
import { sidekiqBackoffStrategy } from '../../src/retries/sidekiq-backoff.js';

/** The carrier could not be reached: retry soon. */
class NetworkError extends Error {
  override name = 'NetworkError';
}

/** The carrier said 429 and how long to wait. */
class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
  constructor(readonly retryAfterMs: number) {
    super(`429 Too Many Requests, retry after ${retryAfterMs} ms`);
  }
}

const { db, dispose } = await createScratchDatabase();
const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-04-${process.pid}`;
const queue = new Queue('shipping', { connection, prefix });
const events = new QueueEvents('shipping', { connection, prefix });

/** What each job's processor does, by attempt: `undefined` means it succeeds. */
const script: Record<string, (attempt: number) => Error | undefined> = {
  'no-attempts-option': () => new Error('carrier timed out'),
  'flaky-carrier': (attempt) => [new NetworkError('ECONNRESET'), new TooManyRequestsError(40), new NetworkError('ETIMEDOUT')][attempt],
  'broken-carrier': () => new Error('carrier answered 500'),
  'shipment-deleted': () => new UnrecoverableError('Shipment 77 no longer exists'),
};

// sidekiq_retry_in, by exception class: the Worker holds the strategy, jobs opt in with type 'custom'.
const sidekiqDefault = sidekiqBackoffStrategy({ msPerSecond: 1 });
const worker = new Worker(
  'shipping',
  async (job: Job) => {
    const error = script[job.name]?.(job.attemptsMade);
    if (error) throw error; // throwing is the whole of "rescue, log, re-raise": BullMQ retries
    return 'notified';
  },
  {
    connection,
    prefix,
    settings: {
      backoffStrategy: (attemptsMade, _type, error) => {
        if (error instanceof NetworkError) return 5;
        if (error instanceof TooManyRequestsError) return error.retryAfterMs;
        return sidekiqDefault(attemptsMade);
      },
    },
  },
);

worker.on('failed', (job, error) => {
  if (!job) return;
  const attempts = job.opts.attempts || 1; // a job added without `attempts` carries 0: one run
  const final = error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
  const next = final ? 'no retry: recording the failure' : `retry in ${job.delay} ms`;
  console.log(`   ${job.name} #${job.id} failed on attempt ${job.attemptsMade} of ${attempts} (${error.message}); ${next}`);
  if (!final) return;
  // sidekiq_retries_exhausted: keep what is needed to look into it, or to replay it.
  db.jobFailure
    .create({
      data: {
        queue: job.queueName,
        jobName: job.name,
        jobId: String(job.id),
        data: JSON.stringify(job.data),
        error: error.message,
        attemptsMade: job.attemptsMade,
      },
    })
    .catch((cause: unknown) => console.error('   could not record the failure:', cause));
});
worker.on('completed', (job) => console.log(`   ${job.name} #${job.id} completed on attempt ${job.attemptsMade}`));

try {
  await events.waitUntilReady();
  console.log('Four jobs: no attempts option, attempts: 6 (retry: 5), attempts: 4 (retry: 3), and an UnrecoverableError\n');
  const jobs = [
    await queue.add('no-attempts-option', { shipmentId: 1 }),
    await queue.add('flaky-carrier', { shipmentId: 2 }, { attempts: 6, backoff: { type: 'custom' } }),
    await queue.add('broken-carrier', { shipmentId: 3 }, { attempts: 4, backoff: { type: 'custom' } }),
    await queue.add('shipment-deleted', { shipmentId: 77 }, { attempts: 6, backoff: { type: 'custom' } }),
  ];
  await Promise.allSettled(jobs.map((job) => job.waitUntilFinished(events, 10_000)));
  // QueueEvents can report the last job finished a moment before the Worker's `failed` listener has written its row.
  const deadline = Date.now() + 5000;
  while ((await db.jobFailure.count()) < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

  console.log('\nJobFailure rows (no row for flaky-carrier: it succeeded in the end)');
  for (const row of await db.jobFailure.findMany({ orderBy: { id: 'asc' } })) {
    console.log(`   ${row.queue}/${row.jobName} #${row.jobId} after ${row.attemptsMade} attempt(s): ${row.error}; data ${row.data}`);
  }
  const counts = await queue.getJobCounts('completed', 'failed');
  console.log(`\nQueue: ${counts.completed} completed, ${counts.failed} failed`);
} finally {
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await dispose();
  await redis.release();
}
