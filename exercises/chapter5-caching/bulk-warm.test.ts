import { expect, it, vi } from 'vitest';
import { productCacheKey, toProductJson } from '../../src/app/products.js';
import { expectNoQueries, expectQueries, watchQueries } from '../../src/queries/index.js';
import { useTestEnv } from '../../test/harness.js';
import { warmProducts } from './bulk-warm.js';
import { brokenCache, createTestCache, MINUTE, writeCatalogue } from './test-cache.js';

const env = useTestEnv();

it('warms 50 products with one database read and one Redis round trip', async () => {
  const { cache, redis } = await createTestCache(env);
  const { products } = await writeCatalogue(env.db, { categories: 5, productsPerCategory: 10 });
  const ids = products.map((product) => product.id);

  // Every command or pipeline the cache sends is one write to its socket.
  const roundTrips = vi.spyOn(redis.stream, 'write');
  const written = await expectQueries({ atMost: 2 }, () => warmProducts(cache, watchQueries(env.db), ids));
  expect(roundTrips).toHaveBeenCalledTimes(1);
  roundTrips.mockRestore();

  expect(written).toBe(50);
  const cached = await cache.fetchMulti(
    ids.map((id) => productCacheKey(id)),
    {},
    (missing) => missing.map(() => null),
  );
  expect(cached).toEqual(products.map(toProductJson));
});

it('skips ids that have no product, and writes a repeated id once', async () => {
  const { cache, keys } = await createTestCache(env);
  const { products } = await writeCatalogue(env.db);
  const [first, second] = products;

  await expect(warmProducts(cache, env.db, [first!.id, 4242, second!.id, first!.id])).resolves.toBe(2);
  expect(await keys()).toEqual([productCacheKey(first!.id), productCacheKey(second!.id)].sort());
});

it('replaces entries already cached, and keeps the new ones for 5 minutes', async () => {
  const { cache, advance } = await createTestCache(env);
  const { products } = await writeCatalogue(env.db);
  const product = products[0]!;
  await cache.write(productCacheKey(product.id), { stale: true }, { expiresIn: 60 * MINUTE });

  await warmProducts(cache, env.db, [product.id]);
  expect(await cache.read(productCacheKey(product.id))).toEqual(toProductJson(product));
  advance(5 * MINUTE - 1);
  expect(await cache.read(productCacheKey(product.id))).toEqual(toProductJson(product));
  advance(1);
  expect(await cache.read(productCacheKey(product.id))).toBeUndefined();
});

it('reads and writes nothing for an empty list', async () => {
  const { cache, redis } = await createTestCache(env);
  await writeCatalogue(env.db);
  const roundTrips = vi.spyOn(redis.stream, 'write');
  await expect(expectNoQueries(() => warmProducts(cache, watchQueries(env.db), []))).resolves.toBe(0);
  expect(roundTrips).not.toHaveBeenCalled();
});

it('throws when the cache cannot store the entries (Redis down), so that a job running it is retried', async () => {
  const { cache, failures } = brokenCache();
  const { products } = await writeCatalogue(env.db);
  await expect(warmProducts(cache, env.db, products.map((product) => product.id))).rejects.toBeInstanceOf(Error);
  expect(failures.length).toBeGreaterThan(0);
});
