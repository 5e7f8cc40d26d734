import { expect, it } from 'vitest';
import { productCacheKey, toProductJson } from '../../src/app/products.js';
import { expectNoQueries, expectQueries, watchQueries } from '../../src/queries/index.js';
import { useTestEnv } from '../../test/harness.js';
import { fetchProduct } from './product-cache.js';
import { createTestCache, MINUTE, writeCatalogue } from './test-cache.js';

const env = useTestEnv();

it('loads the product with its category name, then answers from the cache without a query', async () => {
  const { cache } = await createTestCache(env);
  const { products } = await writeCatalogue(env.db);
  const product = products[1]!;
  const db = watchQueries(env.db);

  const first = await fetchProduct(cache, db, product.id);
  expect(first).toEqual(toProductJson(product));
  expect(first?.category.name).toBe('Category 1');
  expect(await cache.read(productCacheKey(product.id))).toEqual(toProductJson(product));

  await expect(expectNoQueries(() => fetchProduct(cache, db, product.id))).resolves.toEqual(toProductJson(product));
});

it('serves the cached product for 5 minutes, then loads it again', async () => {
  const { cache, advance } = await createTestCache(env);
  const { products } = await writeCatalogue(env.db);
  const product = products[0]!;
  const db = watchQueries(env.db);
  await fetchProduct(cache, db, product.id);
  await env.db.product.update({ where: { id: product.id }, data: { priceCents: 4200 } });

  advance(5 * MINUTE - 1);
  const stillCached = await expectNoQueries(() => fetchProduct(cache, db, product.id));
  expect(stillCached?.priceCents).toBe(product.priceCents);

  advance(1);
  const reloaded = await expectQueries({ atLeast: 1 }, () => fetchProduct(cache, db, product.id));
  expect(reloaded?.priceCents).toBe(4200);
});

it('answers null for a missing product without caching it, so the product shows up once created', async () => {
  const { cache, keys } = await createTestCache(env);
  const { categories } = await writeCatalogue(env.db, { categories: 1, productsPerCategory: 0 });

  await expect(fetchProduct(cache, env.db, 4242)).resolves.toBeNull();
  expect(await keys()).toEqual([]);

  const created = await env.db.product.create({
    data: { id: 4242, name: 'Late arrival', priceCents: 500, categoryId: categories[0]!.id },
    include: { category: true },
  });
  await expect(fetchProduct(cache, env.db, 4242)).resolves.toEqual(toProductJson(created));
});
