/**
 * Chapter 3: the guards that keep a daily job from running twice for one date.
 *
 *   npx tsx tutorials/03-scheduling/example-daily-report.ts
 *
 * Shows what a deterministic job id, `deduplication` and the database's unique index each
 * stop, on a private Redis and a throwaway SQLite file, then exits.
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { Prisma } from '../../src/generated/sqlite/client.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const { db, dispose } = await createScratchDatabase();
const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-03-${process.pid}`;
const queue = new Queue('reports', { connection, prefix });
const events = new QueueEvents('reports', { connection, prefix });

try {
  console.log('1. A job id made from the date: the second add is ignored while the first job is kept');
  const first = await queue.add('daily-report', { date: '2030-01-15' }, { jobId: 'daily-report-2030-01-15' });
  const second = await queue.add('daily-report', { date: '2030-01-15' }, { jobId: 'daily-report-2030-01-15' });
  console.log(`   ids: ${first.id} and ${second.id}; waiting jobs: ${await queue.getWaitingCount()}`);

  console.log('\n2. deduplication: the same, but only until the job finishes');
  await events.waitUntilReady();
  const worker = new Worker('reports', async () => 'done', { connection, prefix });
  const a = await queue.add('daily-report', { date: '2030-01-16' }, { deduplication: { id: 'daily-report-2030-01-16' } });
  const b = await queue.add('daily-report', { date: '2030-01-16' }, { deduplication: { id: 'daily-report-2030-01-16' } });
  console.log(`   while it waits: ids ${a.id} and ${b.id}`);
  await a.waitUntilFinished(events, 5000);
  const c = await queue.add('daily-report', { date: '2030-01-16' }, { deduplication: { id: 'daily-report-2030-01-16' } });
  console.log(`   after it finished: a new job, id ${c.id}`);
  await c.waitUntilFinished(events, 5000);
  await worker.close();

  console.log('\n3. A scheduler names its own jobs, one id per run time, and takes no jobId or deduplication');
  const scheduled = await queue.upsertJobScheduler('daily-report', { pattern: '0 6 * * *', tz: 'Europe/London' }, { name: 'daily-report' });
  console.log(`   next run's job id: ${scheduled.id}; a manual run beside it is a different job`);
  await queue.removeJobScheduler('daily-report');

  console.log('\n4. The database has the last word: DailyReport.date is unique');
  await db.dailyReport.create({ data: { date: '2030-01-15', taskCount: 2 } });
  try {
    await db.dailyReport.create({ data: { date: '2030-01-15', taskCount: 2 } });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError)) throw error;
    console.log(`   second insert for 2030-01-15: ${error.code} (unique constraint failed): the report already exists`);
  }
  console.log(`   rows: ${JSON.stringify(await db.dailyReport.findMany({ select: { date: true, taskCount: true } }))}`);
} finally {
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.release();
  await dispose();
}
