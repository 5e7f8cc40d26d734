/**
 * Chapter 1 example: a Redis, a producer Queue, a Worker with a concurrency, a graceful close.
 *
 *   npx tsx tutorials/01-setup/example.ts
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { checkRedis, queueConnectionOptions, workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const config = loadConfig();
const redis = await acquireRedis(config.redisUrl);
console.log(redis.embedded ? `Started a private redis-server at ${redis.url}` : `Using REDIS_URL=${redis.url}`);
console.log(`Redis version ${await checkRedis(redis.url)}`);

// A prefix of our own keeps this example's keys apart from anything else in that Redis.
const prefix = `chapter1-${process.pid}`;
const queue = new Queue('greetings', { connection: queueConnectionOptions(redis.url), prefix });
const events = new QueueEvents('greetings', { connection: workerConnectionOptions(redis.url), prefix });
await events.waitUntilReady();

const started = Date.now();
const worker = new Worker(
  'greetings',
  async (job) => {
    console.log(`  +${Date.now() - started} ms  job ${job.id} starts  (${job.data.name})`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // stands in for real work
    return `Hello, ${job.data.name}`;
  },
  { connection: workerConnectionOptions(redis.url), prefix, concurrency: 2 },
);

console.log('Adding 4 jobs to a worker with concurrency 2: two start at once, then the next two.');
const jobs = await queue.addBulk(['Ada', 'Grace', 'Linus', 'Yukihiro'].map((name) => ({ name: 'greet', data: { name } })));
for (const job of jobs) console.log(`  job ${job.id} returned: ${await job.waitUntilFinished(events, 10_000)}`);

// Workers first: close() waits for running jobs. Then what they read from.
await worker.close();
await events.close();
await queue.obliterate({ force: true });
await queue.close();
await redis.release();
console.log('Closed the worker, the queue and Redis. Bye.');
