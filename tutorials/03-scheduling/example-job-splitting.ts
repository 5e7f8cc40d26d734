/**
 * Chapter 3: job splitting. One job per batch, each enqueueing the next with a cursor.
 *
 *   npx tsx tutorials/03-scheduling/example-job-splitting.ts
 *
 * Walks the sample products (on a throwaway SQLite file) ten at a time, then exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { createDatabase } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { seedSampleData } from '../../src/db/seed.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

interface WalkData {
  /** Id of the last product the previous job handled; absent for the first job. */
  afterId?: number;
}

const BATCH_SIZE = 10;

const dir = mkdtempSync(join(tmpdir(), 'workbook-example-03-'));
const databaseUrl = `file:${join(dir, 'example.db')}`;
await applyMigrations(databaseUrl);
const db = await createDatabase(databaseUrl);
await seedSampleData(db);
const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-03-${process.pid}`;
const queue = new Queue<WalkData>('indexing', { connection, prefix });

let done = false;
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
worker.on('completed', (_job, result: { next: number | null }) => {
  if (result.next === null) done = true;
});

try {
  await queue.add('index-products', {});
  const deadline = Date.now() + 5000;
  while (!done) {
    if (Date.now() > deadline) throw new Error('the walk did not finish within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const indexed = await db.product.count({ where: { indexedAt: { not: null } } });
  console.log(`done: ${indexed} of ${await db.product.count()} products indexed, ${await queue.getCompletedCount()} jobs`);
} finally {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.release();
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
}
