/**
 * Chapter 8 (B3): Sidekiq's weighted queues `[urgent, 6], [default, 3], [low, 1]`, translated
 * two ways, and the share of the work each queue really gets while all three have work waiting.
 *
 *   npx tsx tutorials/08-beyond-sidekiq/example-weighted-queues.ts
 *
 * Both runs have 10 job slots and 200 jobs per queue, each job 5 ms of work. The share is counted
 * from the start until the first queue runs dry: the stretch in which the weights matter.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const WEIGHTS = [['urgent', 6], ['default', 3], ['low', 1]] as const;
const JOBS_PER_QUEUE = 200;
const SLOTS = 10;
type Level = (typeof WEIGHTS)[number][0];

const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-08-weights-${process.pid}`;
const work = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Counts finished jobs per level until one level has none left; resolves to the counts then. */
function shareCounter() {
  const done: Record<Level, number> = { urgent: 0, default: 0, low: 0 };
  let snapshot: Record<Level, number> | undefined;
  let resolve!: (counts: Record<Level, number>) => void;
  const firstDrained = new Promise<Record<Level, number>>((r) => (resolve = r));
  return {
    firstDrained,
    finished(level: Level) {
      done[level]++;
      if (!snapshot && done[level] === JOBS_PER_QUEUE) resolve((snapshot = { ...done }));
    },
  };
}

function print(title: string, counts: Record<Level, number>): void {
  const total = counts.urgent + counts.default + counts.low;
  const share = WEIGHTS.map(([level]) => `${level} ${((counts[level] / total) * 100).toFixed(0).padStart(3)}% (${counts[level]})`).join('   ');
  console.log(`   ${title.padEnd(44)} ${share}   of ${total} jobs`);
}

const closing: { close(): Promise<unknown> }[] = [];
try {
  console.log(`Share of the work while every queue still had jobs waiting (Sidekiq's weights would give 60% / 30% / 10%):\n`);

  // 1. Priorities: one queue, one Worker with all 10 slots; urgent = priority 1 (lower runs first).
  {
    const queue = new Queue('weighted-priorities', { connection, prefix });
    closing.push(queue);
    for (const [index, [level]] of WEIGHTS.entries()) {
      await queue.addBulk(Array.from({ length: JOBS_PER_QUEUE }, () => ({ name: level, data: {}, opts: { priority: index + 1 } })));
    }
    const counter = shareCounter();
    const worker = new Worker('weighted-priorities', async (job: Job) => {
      await work();
      counter.finished(job.name as Level);
    }, { connection, prefix, concurrency: SLOTS });
    closing.push(worker);
    print('priorities 1/2/3, one Worker, concurrency 10', await counter.firstDrained);
    await worker.close();
  }

  // 2. A Worker per queue, concurrency in proportion to the weights: 6 + 3 + 1 = 10 slots.
  {
    const counter = shareCounter();
    for (const [level] of WEIGHTS) {
      const queue = new Queue(`weighted-${level}`, { connection, prefix });
      closing.push(queue);
      await queue.addBulk(Array.from({ length: JOBS_PER_QUEUE }, () => ({ name: level, data: {} })));
    }
    const workers = WEIGHTS.map(([level, weight]) =>
      new Worker(`weighted-${level}`, async () => {
        await work();
        counter.finished(level);
      }, { connection, prefix, concurrency: weight }),
    );
    closing.push(...workers);
    print('a Worker per queue, concurrency 6 / 3 / 1', await counter.firstDrained);
    await Promise.all(workers.map((worker) => worker.close()));
  }
  console.log('\nPriorities are strict: low waits until urgent and default are empty, however long that takes.');
  console.log('A Worker per queue keeps every queue moving, in proportion to its slots, like Sidekiq’s weights.');
} finally {
  for (const resource of closing.reverse()) await resource.close();
  for (const name of ['weighted-priorities', ...WEIGHTS.map(([level]) => `weighted-${level}`)]) {
    const queue = new Queue(name, { connection, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await redis.release();
}
