/**
 * Chapter 4: Sidekiq's Retries and Dead tabs, as BullMQ job states.
 *
 *   npx tsx tutorials/04-retries/example-dead-set.ts
 *
 * A CRM outage fails some jobs for good and leaves one waiting for its next attempt; a job
 * scheduled for later sits beside it. Then the CRM comes back: retry one dead job, then the rest.
 */
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-04-dead-${process.pid}`;
const queue = new Queue('crm', { connection, prefix });
const events = new QueueEvents('crm', { connection, prefix });
let crmIsDown = true;
const worker = new Worker(
  'crm',
  async (job: Job<{ contactId: number }>) => {
    if (crmIsDown) throw new Error(`CRM is down (contact ${job.data.contactId})`);
    return 'synced';
  },
  { connection, prefix },
);

function describe(job: Job): string {
  return `#${job.id} ${job.name} ${JSON.stringify(job.data)} after ${job.attemptsMade} attempt(s): ${job.failedReason || 'not run yet'}`;
}

async function counts(): Promise<string> {
  const { waiting, delayed, completed, failed } = await queue.getJobCounts('waiting', 'delayed', 'completed', 'failed');
  return `waiting ${waiting}, delayed ${delayed}, completed ${completed}, failed ${failed}`;
}

/** Resolves on the first failure of contact 4's job; rejects if none comes within 5 s. */
const firstFailureOfContact4 = new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('contact 4 did not fail within 5 s')), 5000);
  worker.on('failed', (job) => {
    if (job?.data.contactId !== 4) return;
    clearTimeout(timer);
    resolve();
  });
});

try {
  await events.waitUntilReady();
  const dead = await Promise.all([1, 2, 3].map((contactId) => queue.add('sync-contact', { contactId })));
  const retrying = await queue.add('sync-contact', { contactId: 4 }, { attempts: 5, backoff: { type: 'fixed', delay: 60_000 } });
  await queue.add('weekly-digest', {}, { delay: 60_000 });
  await Promise.allSettled(dead.map((job) => job.waitUntilFinished(events, 5000)));
  await firstFailureOfContact4;
  console.log(`After the outage: ${await counts()}`);

  console.log('\nRetrySet = delayed jobs that have failed before (attemptsMade > 0):');
  for (const job of (await queue.getDelayed()).filter((job) => job.attemptsMade > 0)) console.log(`   ${describe(job)}`);
  console.log('ScheduledSet = delayed jobs that never ran:');
  for (const job of (await queue.getDelayed()).filter((job) => job.attemptsMade === 0)) console.log(`   ${describe(job)}`);
  console.log('DeadSet = failed jobs:');
  for (const job of await queue.getFailed()) console.log(`   ${describe(job)}`);

  crmIsDown = false;
  console.log('\nThe CRM is back. "Retry now" on one dead job: job.retry()');
  await dead[0]!.retry('failed');
  console.log(`   #${dead[0]!.id}: ${await dead[0]!.waitUntilFinished(events, 5000)}; ${await counts()}`);

  console.log('"Retry all" on the dead set: queue.retryJobs()');
  await queue.retryJobs({ state: 'failed' });
  await Promise.all(dead.slice(1).map((job) => job.waitUntilFinished(events, 5000)));
  console.log(`   ${await counts()}`);

  console.log('"Retry now" on the retry set: job.promote() runs it without waiting for its backoff');
  await retrying.promote();
  console.log(`   #${retrying.id}: ${await retrying.waitUntilFinished(events, 5000)}; ${await counts()}`);
} finally {
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.release();
}
