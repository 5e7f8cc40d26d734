/**
 * Chapter 3: job splitting. One job per batch, each enqueueing the next with a cursor.
 *
 *   npx tsx tutorials/03-scheduling/example-job-splitting.ts
 *
 * Walks the sample products (on a throwaway SQLite file) ten at a time, then exits.
 */
import { Queue, Worker } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { seedSampleData } from '../../src/db/seed.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

interface WalkData {
  /** Id of the last product the previous job handled; absent for the first job. */
  afterId?: number;
}

const BATCH_SIZE = 10;

const { db, dispose } = await createScratchDatabase();
await seedSampleData(db);
const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-03-${process.pid}`;
const queue = new Queue<WalkData>('indexing', { connection, prefix });

const worker = new Worker<WalkData>(
  'indexing',
  async (job) => {
    const { afterId } = job.data;
    const batch = await db.product.findMany({
      where: afterId === undefined ? {} : { id: { gt: afterId } },
      orderBy: { id: 'asc' },
      take: BATCH_SIZE,
      select: { id: true },
    });
    const ids = batch.map((product) => product.id);
    await db.product.updateMany({ where: { id: { in: ids } }, data: { indexedAt: new Date() } });
    const last = ids.at(-1);
    console.log(`job ${job.id}: after id ${afterId ?? '(start)'} -> indexed ${ids.length} (ids ${ids[0] ?? '-'}..${last ?? '-'})`);
    // A full batch may have more behind it; a short one was the last.
    if (ids.length < BATCH_SIZE) return { next: null };
    await queue.add('index-products', { afterId: last });
    console.log(`         enqueued the next batch, afterId ${last}`);
    return { next: last };
  },
  { connection, prefix },
);
// Resolved by the job that finds no more products: the end of the walk.
let resolveWalk: () => void;
const walkFinished = new Promise<void>((resolve) => {
  resolveWalk = resolve;
});
worker.on('completed', (_job, result: { next: number | null }) => {
  if (result.next === null) resolveWalk();
});

try {
  await queue.add('index-products', {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the walk did not finish within 5 s')), 5000);
  });
  try {
    await Promise.race([walkFinished, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const indexed = await db.product.count({ where: { indexedAt: { not: null } } });
  console.log(`done: ${indexed} of ${await db.product.count()} products indexed, ${await queue.getCompletedCount()} jobs`);
} finally {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.release();
  await dispose();
}
