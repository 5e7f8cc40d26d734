import { describe, expect, it } from 'vitest';
import { productCacheKey, toProductJson, type ProductJson } from '../../src/app/products.js';
import { Cache } from '../../src/cache/index.js';
import { useTestEnv } from '../../test/harness.js';
import { deleteProduct, ProductNotFoundError, updateProductPrice } from './invalidate-product.js';
import { createTestCache, loadProduct, MINUTE, writeCatalogue } from './test-cache.js';

const env = useTestEnv();

/** What any request of the app does: read the product through the cache, loading it on a miss. */
function readThrough(cache: Cache, id: number): Promise<ProductJson | null> {
  return cache.fetch(productCacheKey(id), { expiresIn: 5 * MINUTE, skipNil: true }, async () => {
    const product = await loadProduct(env.db, id);
    return product && toProductJson(product);
  });
}

/**
 * A cache on which, right after each `delete`, another request reads the product through the
 * cache, as a busy site would: if the entry was deleted before the database changed, that
 * request loads the old row and caches it again.
 */
async function busyCache() {
  const racing: { id?: number } = {};
  const test = await createTestCache(
    env,
    (options) =>
      new (class extends Cache {
        override async delete(key: string): Promise<boolean> {
          const deleted = await super.delete(key);
          if (racing.id !== undefined) await readThrough(this, racing.id);
          return deleted;
        }
      })(options),
  );
  return { ...test, raceOn: (id: number) => (racing.id = id) };
}

describe('updateProductPrice', () => {
  it('changes the price, and a read through the cache sees it at once', async () => {
    const { cache } = await busyCache();
    const { products } = await writeCatalogue(env.db);
    const product = products[2]!;
    expect((await readThrough(cache, product.id))?.priceCents).toBe(product.priceCents);

    const updated = await updateProductPrice(cache, env.db, product.id, 4200);
    expect(updated).toMatchObject({ id: product.id, name: product.name, priceCents: 4200, category: { id: product.categoryId, name: 'Category 1' } });
    expect((await loadProduct(env.db, product.id))?.priceCents).toBe(4200);
    expect((await readThrough(cache, product.id))?.priceCents).toBe(4200);
  });

  it('does not let a request that reads during the update cache the old price again', async () => {
    const { cache, raceOn } = await busyCache();
    const { products } = await writeCatalogue(env.db);
    const product = products[0]!;
    await readThrough(cache, product.id);
    raceOn(product.id);

    await updateProductPrice(cache, env.db, product.id, 4200);
    expect((await readThrough(cache, product.id))?.priceCents).toBe(4200);
  });

  it('throws a ProductNotFoundError for a missing product', async () => {
    const { cache } = await busyCache();
    await writeCatalogue(env.db);
    await expect(updateProductPrice(cache, env.db, 4242, 100)).rejects.toBeInstanceOf(ProductNotFoundError);
  });

  it.each([-1, 12.5, Number.NaN])('rejects a price of %s with a RangeError and changes nothing', async (priceCents) => {
    const { cache } = await busyCache();
    const { products } = await writeCatalogue(env.db);
    const product = products[0]!;
    await expect(updateProductPrice(cache, env.db, product.id, priceCents)).rejects.toBeInstanceOf(RangeError);
    expect((await loadProduct(env.db, product.id))?.priceCents).toBe(product.priceCents);
  });
});

describe('deleteProduct', () => {
  it('deletes the product and leaves nothing in the cache, even when a request reads it meanwhile', async () => {
    const { cache, keys, raceOn } = await busyCache();
    const { products } = await writeCatalogue(env.db);
    const product = products[1]!;
    await readThrough(cache, product.id);
    raceOn(product.id);

    await expect(deleteProduct(cache, env.db, product.id)).resolves.toBe(true);
    expect(await loadProduct(env.db, product.id)).toBeNull();
    expect(await keys()).toEqual([]);
    await expect(readThrough(cache, product.id)).resolves.toBeNull();
  });

  it('answers false for a product that does not exist', async () => {
    const { cache } = await busyCache();
    await writeCatalogue(env.db);
    await expect(deleteProduct(cache, env.db, 4242)).resolves.toBe(false);
    expect(await env.db.product.count()).toBe(6);
  });
});
