/**
 * Chapter 3: jobs that run later, at a time, and on a schedule.
 *
 *   npx tsx tutorials/03-scheduling/example.ts
 *
 * Adds delayed jobs (perform_in, perform_at), loads config/schedule.yml into job schedulers
 * twice, runs a fast `every` scheduler three times, shows how a bad cron pattern is refused,
 * then deletes its keys and exits.
 */
import { Queue, Worker } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';
import { readScheduleFile } from '../../src/scheduling/schedule-file.js';

const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
// Our own key prefix, so a REDIS_URL you also use for other things keeps its keys.
const prefix = `example-03-${process.pid}`;
const queue = new Queue('chapter3', { connection, prefix });
const started = Date.now();
const clock = () => `+${String(Date.now() - started).padStart(4)} ms`;

const finished: string[] = [];
// Started after the reminders are added, so their states can be seen before any of them runs.
function startWorker(): Worker {
  return new Worker(
    'chapter3',
    async (job) => {
      console.log(`${clock()}  ran ${job.name} ${JSON.stringify(job.data)}, ${job.processedOn! - job.timestamp} ms after it was added`);
      finished.push(job.name);
    },
    { connection, prefix },
  );
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the example waited 5 s for its jobs; is the worker running?');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let worker: Worker | undefined;
try {
  console.log('1. perform_in and perform_at are both a delay in milliseconds');
  await queue.add('reminder', { taskId: 1 }, { delay: 600 }); // perform_in(0.6.seconds, 1)
  const runAt = new Date(Date.now() + 300);
  await queue.add('reminder', { taskId: 2 }, { delay: Math.max(0, runAt.getTime() - Date.now()) }); // perform_at(runAt, 2)
  const yesterday = new Date(Date.now() - 86_400_000);
  await queue.add('reminder', { taskId: 3 }, { delay: Math.max(0, yesterday.getTime() - Date.now()) }); // a past time: runs now
  console.log(`${clock()}  added 3 reminders: ${JSON.stringify(await queue.getJobCounts('waiting', 'delayed'))}`);
  worker = startWorker();
  await until(() => finished.length === 3);

  console.log('\n2. config/schedule.yml becomes one job scheduler per entry');
  const entries = readScheduleFile('config/schedule.yml');
  for (let load = 1; load <= 2; load++) {
    for (const entry of entries) {
      const when = entry.cron !== undefined ? { pattern: entry.cron, tz: entry.tz } : { every: entry.every };
      await queue.upsertJobScheduler(entry.name, when, { name: entry.job, data: entry.data });
    }
    console.log(`   load ${load}: ${await queue.getJobSchedulersCount()} schedulers`);
  }
  for (const scheduler of await queue.getJobSchedulers(0, -1, true)) {
    const when = scheduler.pattern ? `"${scheduler.pattern}" in ${scheduler.tz ?? 'the server time zone'}` : `every ${scheduler.every} ms`;
    console.log(`   ${scheduler.key}: ${when}, next ${new Date(scheduler.next!).toISOString()}, adds ${scheduler.name}`);
  }

  console.log('\n3. every: 200 ms, the fast scheduler the tests use instead of waiting for a cron minute');
  finished.length = 0;
  await queue.upsertJobScheduler('heartbeat', { every: 200 }, { name: 'heartbeat', data: { from: 'scheduler' } });
  await until(() => finished.length === 3);
  await queue.removeJobScheduler('heartbeat');
  console.log(`${clock()}  removed "heartbeat"; schedulers left: ${(await queue.getJobSchedulers()).map((s) => s.key).join(', ')}`);

  console.log('\n4. a malformed pattern is refused before anything is stored');
  try {
    await queue.upsertJobScheduler('weekly-digest', { pattern: '0 61 * * 1' }, { name: 'digest' });
  } catch (error) {
    console.log(`   weekly-digest ("0 61 * * 1"): ${(error as Error).message}`);
  }
  console.log(`   schedulers: ${await queue.getJobSchedulersCount()}`);
} finally {
  await worker?.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.release();
}
