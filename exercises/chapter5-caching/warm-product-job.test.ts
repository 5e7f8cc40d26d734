import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import { productCacheKey, toProductJson } from '../../src/app/products.js';
import type { Cache } from '../../src/cache/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv } from '../../test/harness.js';
import { saveProduct, warmProduct, type WarmProductData } from './warm-product-job.js';
import { brokenCache, createTestCache, loadProduct, MINUTE, writeCatalogue } from './test-cache.js';

const env = useTestEnv();

/** The `catalogue` queue, its events, and a Worker that runs `warmProduct` for each `warm-product` job. */
async function warmingQueue(cache: Cache) {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue<WarmProductData>('catalogue', options));
  const events = env.track(new QueueEvents('catalogue', options));
  await events.waitUntilReady();
  env.track(
    new Worker<WarmProductData>(
      'catalogue',
      async (job: Job<WarmProductData>) => {
        if (job.name !== 'warm-product') throw new Error(`unexpected job ${job.name}`);
        return warmProduct(cache, env.db, job.data.productId);
      },
      options,
    ),
  );
  return { queue, events };
}

describe('saveProduct with a warming Worker', () => {
  it('creates the product, enqueues warm-product with its id only, and the job caches it', async () => {
    const { cache } = await createTestCache(env);
    const { queue, events } = await warmingQueue(cache);
    const { categories } = await writeCatalogue(env.db, { categories: 1, productsPerCategory: 0 });

    const { productId, job } = await saveProduct(env.db, queue, { name: 'Kettle', priceCents: 3999, categoryId: categories[0]!.id });
    expect(job.name).toBe('warm-product');
    expect(job.data).toEqual({ productId });
    await expect(job.waitUntilFinished(events, 5000)).resolves.toBe(true);

    const product = await loadProduct(env.db, productId);
    expect(product).toMatchObject({ name: 'Kettle', priceCents: 3999 });
    expect(await cache.read(productCacheKey(productId))).toEqual(toProductJson(product!));
  });

  it('after a price change, replaces the old entry that was still cached', async () => {
    const { cache } = await createTestCache(env);
    const { queue, events } = await warmingQueue(cache);
    const { products } = await writeCatalogue(env.db);
    const product = products[0]!;
    await cache.write(productCacheKey(product.id), toProductJson(product), { expiresIn: 5 * MINUTE });

    const { job } = await saveProduct(env.db, queue, { id: product.id, name: product.name, priceCents: 4200, categoryId: product.categoryId });
    expect(job.data).toEqual({ productId: product.id });
    await expect(job.waitUntilFinished(events, 5000)).resolves.toBe(true);
    expect(await cache.read(productCacheKey(product.id))).toMatchObject({ id: product.id, priceCents: 4200 });
  });
});

// A job added before the write commits (Rails' after_save instead of after_commit) can be picked up
// by a Worker that does not see the write yet. SQLite has one connection, which sees its own
// uncommitted writes, so only PostgreSQL can show it.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`saveProduct enqueues after the commit on ${database}`, () => {
    const dbEnv = useTestEnv({ database });

    /** A queue whose add() first reads the product on another connection, as a Worker that picks the job up at once would. */
    function watchedQueue() {
      const queue = dbEnv.track(new Queue<WarmProductData>('catalogue', { connection: dbEnv.connection, prefix: dbEnv.prefix }));
      const seenAtAdd: unknown[] = [];
      const add = queue.add.bind(queue);
      vi.spyOn(queue, 'add').mockImplementation(async (name, data, opts) => {
        seenAtAdd.push((await loadProduct(dbEnv.db, data.productId))?.priceCents ?? 'missing');
        return add(name, data, opts);
      });
      return { queue, seenAtAdd };
    }

    it('when the job is added, the database already holds the new values', async () => {
      const { queue, seenAtAdd } = watchedQueue();
      const { products } = await writeCatalogue(dbEnv.db);
      const product = products[1]!;

      await saveProduct(dbEnv.db, queue, { id: product.id, name: 'Renamed', priceCents: 4200, categoryId: product.categoryId });
      expect(seenAtAdd).toEqual([4200]);
      const waiting = await queue.getJobs(['waiting']);
      expect(waiting.map((job) => [job.name, job.data])).toEqual([['warm-product', { productId: product.id }]]);
    });

    it('when the job is added for a new product, its row is already there', async () => {
      const { queue, seenAtAdd } = watchedQueue();
      const { categories } = await writeCatalogue(dbEnv.db, { categories: 1, productsPerCategory: 0 });

      const { productId } = await saveProduct(dbEnv.db, queue, { name: 'Kettle', priceCents: 3999, categoryId: categories[0]!.id });
      expect(seenAtAdd).toEqual([3999]);
      expect((await queue.getJobs(['waiting'])).map((job) => job.data)).toEqual([{ productId }]);
    });
  });
}

describe('saveProduct', () => {
  it('throws an error naming a missing product id and enqueues nothing', async () => {
    const queue = env.track(new Queue<WarmProductData>('catalogue', { connection: env.connection, prefix: env.prefix }));
    const { categories } = await writeCatalogue(env.db);
    await expect(saveProduct(env.db, queue, { id: 4242, name: 'Ghost', priceCents: 100, categoryId: categories[0]!.id })).rejects.toThrow(/4242/);
    expect(await queue.count()).toBe(0);
  });
});

describe('warmProduct', () => {
  it('writes the product even over a fresh entry, for 5 minutes', async () => {
    const { cache, advance } = await createTestCache(env);
    const { products } = await writeCatalogue(env.db);
    const product = products[3]!;
    await cache.write(productCacheKey(product.id), { stale: true }, { expiresIn: 5 * MINUTE });

    await expect(warmProduct(cache, env.db, product.id)).resolves.toBe(true);
    expect(await cache.read(productCacheKey(product.id))).toEqual(toProductJson(product));
    advance(5 * MINUTE - 1);
    expect(await cache.read(productCacheKey(product.id))).toEqual(toProductJson(product));
    advance(1);
    expect(await cache.read(productCacheKey(product.id))).toBeUndefined();
  });

  it('throws when the cache cannot store the entry (Redis down), so that BullMQ retries the job', async () => {
    const { cache, failures } = brokenCache();
    const { products } = await writeCatalogue(env.db);
    await expect(warmProduct(cache, env.db, products[0]!.id)).rejects.toBeInstanceOf(Error);
    expect(failures.length).toBeGreaterThan(0);
  });

  it('answers false for a product that does not exist, and writes nothing', async () => {
    const { cache, keys } = await createTestCache(env);
    await writeCatalogue(env.db);
    await expect(warmProduct(cache, env.db, 4242)).resolves.toBe(false);
    expect(await keys()).toEqual([]);
  });
});
