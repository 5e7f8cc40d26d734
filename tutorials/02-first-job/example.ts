/**
 * Chapter 2 example: the Rails "create a record, enqueue a job, a worker processes it" loop.
 *
 *   npx tsx tutorials/02-first-job/example.ts
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { logTask, LOG_TASK_JOB, TASKS_QUEUE, type LogTaskData } from '../../src/app/task-jobs.js';
import { loadConfig } from '../../src/config.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { assertJobData } from '../../src/jobs/job-data.js';
import { queueConnectionOptions, workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const redis = await acquireRedis(loadConfig().redisUrl);
const { db, dispose } = await createScratchDatabase();
const prefix = `chapter2-${process.pid}`;
const queue = new Queue<LogTaskData>(TASKS_QUEUE, { connection: queueConnectionOptions(redis.url), prefix });

console.log('1. Create a task, then enqueue a job with its id (after_create_commit + perform_async):');
const task = await db.task.create({ data: { title: 'Write chapter 2' } });
const data = { taskId: task.id };
assertJobData(data);
const job = await queue.add(LOG_TASK_JOB, data);
console.log(`   task ${task.id} created, job ${job.id} enqueued; counts: ${JSON.stringify(await queue.getJobCounts('waiting', 'completed'))}`);

console.log('2. Passing the record itself is refused before it reaches Redis:');
try {
  assertJobData({ task });
} catch (error) {
  console.log(`   ${(error as Error).message}`);
}

console.log('3. A worker picks the job up (bundle exec sidekiq):');
const events = new QueueEvents(TASKS_QUEUE, { connection: workerConnectionOptions(redis.url), prefix });
await events.waitUntilReady();
const worker = new Worker<LogTaskData>(TASKS_QUEUE, (running) => logTask(running, db), {
  connection: workerConnectionOptions(redis.url),
  prefix,
});
console.log(`   job ${job.id} returned ${JSON.stringify(await job.waitUntilFinished(events, 10_000))}`);
const logs = await db.taskLog.findMany({ where: { taskId: task.id } });
console.log(`   the job wrote: ${logs.map((log) => log.message).join('; ')}`);

console.log('4. Calling the processor directly, as a unit test does, for a task that is gone:');
console.log(`   ${JSON.stringify(await logTask({ id: 'inline', data: { taskId: 999 } }, db))}`);

console.log('5. Clearing the queue (never FLUSHALL a shared Redis):');
await worker.close();
await events.close();
await queue.obliterate({ force: true });
console.log(`   counts after obliterate: ${JSON.stringify(await queue.getJobCounts('waiting', 'completed'))}`);

await queue.close();
await dispose();
await redis.release();
