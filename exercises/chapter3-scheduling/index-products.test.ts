import { Queue, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { INDEX_PRODUCTS_JOB, indexProductsBatch, type IndexProductsData, type IndexProductsResult } from './index-products.js';

const env = useTestEnv();

function indexing(): Queue<IndexProductsData> {
  return env.track(new Queue<IndexProductsData>('indexing', { connection: env.connection, prefix: env.prefix }));
}

/** Creates `count` products and returns their ids in order. */
async function seedProducts(count: number): Promise<number[]> {
  const category = await env.db.category.create({ data: { name: 'Tools' } });
  const ids: number[] = [];
  for (let n = 1; n <= count; n++) {
    ids.push((await env.db.product.create({ data: { name: `Product ${n}`, priceCents: 100 * n, categoryId: category.id } })).id);
  }
  return ids;
}

async function indexedIds(): Promise<number[]> {
  const rows = await env.db.product.findMany({ where: { indexedAt: { not: null } }, orderBy: { id: 'asc' }, select: { id: true } });
  return rows.map((row) => row.id);
}

describe('indexProductsBatch (job splitting with a cursor)', () => {
  it('indexes one batch, then enqueues its successor carrying the cursor', async () => {
    const ids = await seedProducts(7);
    const queue = indexing();
    const now = new Date('2030-01-15T02:00:00Z');

    const result = await indexProductsBatch(env.db, queue, { batchSize: 3 }, () => now);

    expect(result).toEqual({ indexed: 3, nextAfterId: ids[2] });
    expect(await indexedIds()).toEqual(ids.slice(0, 3));
    expect((await env.db.product.findUnique({ where: { id: ids[0]! } }))?.indexedAt).toEqual(now);
    const next = await queue.getJobs(['waiting', 'delayed']);
    expect(next.map((job) => [job.name, job.data])).toEqual([[INDEX_PRODUCTS_JOB, { afterId: ids[2], batchSize: 3 }]]);
  });

  it('a worker walks the whole table one batch per job, the chain stops at the end, and next week it walks again', async () => {
    const ids = await seedProducts(7);
    const queue = indexing();
    let now = new Date('2030-01-13T02:00:00Z');
    const results: IndexProductsResult[] = [];
    const failures: string[] = [];
    const worker = env.track(
      new Worker<IndexProductsData>('indexing', (job) => indexProductsBatch(env.db, queue, job.data, () => now), {
        connection: env.connection,
        prefix: env.prefix,
      }),
    );
    worker.on('completed', (_job, result: IndexProductsResult) => results.push(result));
    worker.on('failed', (_job, error) => failures.push(error.message));

    async function walk(): Promise<IndexProductsResult[]> {
      const start = results.length;
      await queue.add(INDEX_PRODUCTS_JOB, { batchSize: 3 });
      await waitUntil(() => failures.length > 0 || results.slice(start).some((r) => r.nextAfterId === null), {
        message: 'the last batch of the walk',
      });
      expect(failures).toEqual([]);
      return results.slice(start);
    }

    const firstWalk = await walk();
    expect(firstWalk.map((r) => r.indexed)).toEqual([3, 3, 1]);
    expect(await queue.getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 0, delayed: 0, active: 0 });
    expect(await indexedIds()).toEqual(ids);

    now = new Date('2030-01-20T02:00:00Z');
    const secondWalk = await walk();
    expect(secondWalk.map((r) => r.indexed)).toEqual([3, 3, 1]);
    expect(await env.db.product.count({ where: { indexedAt: now } })).toBe(7);
  });

  it('running the same batch twice (a retry, a redelivery) does not start a second chain', async () => {
    const ids = await seedProducts(7);
    const queue = indexing();
    await indexProductsBatch(env.db, queue, { afterId: ids[2], batchSize: 3 });
    await indexProductsBatch(env.db, queue, { afterId: ids[2], batchSize: 3 });

    const next = await queue.getJobs(['waiting', 'delayed']);
    expect(next.map((job) => job.data)).toEqual([{ afterId: ids[5], batchSize: 3 }]);
  });

  it('keeps going when the product under the cursor is deleted between two batches', async () => {
    const ids = await seedProducts(7);
    const queue = indexing();
    await env.db.product.delete({ where: { id: ids[2]! } });

    const result = await indexProductsBatch(env.db, queue, { afterId: ids[2], batchSize: 3 });
    expect(result).toEqual({ indexed: 3, nextAfterId: ids[5] });
    expect(await indexedIds()).toEqual(ids.slice(3, 6));
  });

  it('ends the walk when the table is an exact multiple of the batch size', async () => {
    const ids = await seedProducts(6);
    const queue = indexing();
    const results: IndexProductsResult[] = [];
    const failures: string[] = [];
    const worker = env.track(
      new Worker<IndexProductsData>('indexing', (job) => indexProductsBatch(env.db, queue, job.data), { connection: env.connection, prefix: env.prefix }),
    );
    worker.on('completed', (_job, result: IndexProductsResult) => results.push(result));
    worker.on('failed', (_job, error) => failures.push(error.message));

    await queue.add(INDEX_PRODUCTS_JOB, { batchSize: 3 });
    await waitUntil(() => failures.length > 0 || results.some((r) => r.nextAfterId === null), { message: 'the last batch of the walk' });
    expect(failures).toEqual([]);
    // Two full batches, and perhaps an empty one that finds the end: either way, nothing after it.
    expect(results.slice(0, 2)).toEqual([
      { indexed: 3, nextAfterId: ids[2] },
      { indexed: 3, nextAfterId: expect.toBeOneOf([ids[5], null]) },
    ]);
    expect(results.reduce((sum, r) => sum + r.indexed, 0)).toBe(6);
    expect(await queue.getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 0, delayed: 0, active: 0 });
    expect(await indexedIds()).toEqual(ids);
  });

  it.each([0, -3, 2.5, Number.NaN])('rejects a batch size of %s with a RangeError, and enqueues nothing', async (batchSize) => {
    await seedProducts(2);
    const queue = indexing();
    await expect(indexProductsBatch(env.db, queue, { batchSize })).rejects.toThrow(RangeError);
    expect(await queue.count()).toBe(0);
    expect(await indexedIds()).toEqual([]);
  });
});

