import { describe, expect, it } from 'vitest';
import { productCacheKey, toProductJson, type ProductJson } from '../../src/app/products.js';
import { Cache } from '../../src/cache/index.js';
import { DATABASE_KINDS, postgresSkipReason, useTestEnv, type TestEnv } from '../../test/harness.js';
import { deleteProduct, ProductNotFoundError, updateProductPrice } from './invalidate-product.js';
import { createTestCache, loadProduct, MINUTE, writeCatalogue } from './test-cache.js';

const env = useTestEnv();

/** What any request of the app does: read the product through the cache, loading it on a miss. */
function readThrough(env: TestEnv, cache: Cache, id: number): Promise<ProductJson | null> {
  return cache.fetch(productCacheKey(id), { expiresIn: 5 * MINUTE, skipNil: true }, async () => {
    const product = await loadProduct(env.db, id);
    return product && toProductJson(product);
  });
}

/**
 * A cache on which, right after each `delete`, another request reads the product through the
 * cache, as a busy site would: if the entry was deleted before the database change committed,
 * that request loads the old row and caches it again. On PostgreSQL the request reads on another
 * connection of the pool, so it does not see a change that is not committed yet; SQLite's one
 * connection sees its own uncommitted writes, so there only a delete before the write shows.
 */
async function busyCache(env: TestEnv) {
  const racing: { id?: number } = {};
  const test = await createTestCache(
    env,
    (options) =>
      new (class extends Cache {
        override async delete(key: string): Promise<boolean> {
          const deleted = await super.delete(key);
          if (racing.id !== undefined) await readThrough(env, this, racing.id);
          return deleted;
        }
      })(options),
  );
  return { ...test, raceOn: (id: number) => (racing.id = id) };
}

describe('updateProductPrice', () => {
  it('changes the price, and a read through the cache sees it at once', async () => {
    const { cache } = await busyCache(env);
    const { products } = await writeCatalogue(env.db);
    const product = products[2]!;
    expect((await readThrough(env, cache, product.id))?.priceCents).toBe(product.priceCents);

    const updated = await updateProductPrice(cache, env.db, product.id, 4200);
    expect(updated).toMatchObject({ id: product.id, name: product.name, priceCents: 4200, category: { id: product.categoryId, name: 'Category 1' } });
    expect((await loadProduct(env.db, product.id))?.priceCents).toBe(4200);
    expect((await readThrough(env, cache, product.id))?.priceCents).toBe(4200);
  });

  it('throws a ProductNotFoundError for a missing product', async () => {
    const { cache } = await busyCache(env);
    await writeCatalogue(env.db);
    await expect(updateProductPrice(cache, env.db, 4242, 100)).rejects.toBeInstanceOf(ProductNotFoundError);
  });

  it.each([-1, 12.5, Number.NaN])('rejects a price of %s with a RangeError and changes nothing', async (priceCents) => {
    const { cache } = await busyCache(env);
    const { products } = await writeCatalogue(env.db);
    const product = products[0]!;
    await expect(updateProductPrice(cache, env.db, product.id, priceCents)).rejects.toBeInstanceOf(RangeError);
    expect((await loadProduct(env.db, product.id))?.priceCents).toBe(product.priceCents);
  });

  it('accepts a price of 0', async () => {
    const { cache } = await busyCache(env);
    const { products } = await writeCatalogue(env.db);
    await expect(updateProductPrice(cache, env.db, products[0]!.id, 0)).resolves.toMatchObject({ priceCents: 0 });
  });
});

describe('deleteProduct', () => {
  it('answers false for a product that does not exist, and still removes a cache entry left behind for it', async () => {
    const { cache, keys } = await busyCache(env);
    await writeCatalogue(env.db);
    // An earlier delete that crashed between its two steps left this entry behind.
    await cache.write(productCacheKey(4242), { id: 4242, name: 'Ghost' }, { expiresIn: 5 * MINUTE });

    await expect(deleteProduct(cache, env.db, 4242)).resolves.toBe(false);
    expect(await env.db.product.count()).toBe(6);
    expect(await keys()).toEqual([]);
  });
});

// The race the exercise is about: a request that reads through the cache between the delete of
// the entry and the commit of the change caches the old row again.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`a request reading during the change on ${database}`, () => {
    const dbEnv = useTestEnv({ database });

    it('does not cache the old price again during updateProductPrice', async () => {
      const { cache, raceOn } = await busyCache(dbEnv);
      const { products } = await writeCatalogue(dbEnv.db);
      const product = products[0]!;
      await readThrough(dbEnv, cache, product.id);
      raceOn(product.id);

      await updateProductPrice(cache, dbEnv.db, product.id, 4200);
      expect((await readThrough(dbEnv, cache, product.id))?.priceCents).toBe(4200);
    });

    it('leaves nothing in the cache after deleteProduct', async () => {
      const { cache, keys, raceOn } = await busyCache(dbEnv);
      const { products } = await writeCatalogue(dbEnv.db);
      const product = products[1]!;
      await readThrough(dbEnv, cache, product.id);
      raceOn(product.id);

      await expect(deleteProduct(cache, dbEnv.db, product.id)).resolves.toBe(true);
      expect(await loadProduct(dbEnv.db, product.id)).toBeNull();
      expect(await keys()).toEqual([]);
      await expect(readThrough(dbEnv, cache, product.id)).resolves.toBeNull();
    });
  });
}
