import type { Cache } from '../../src/cache/index.js';
import type { ProductJson } from '../../src/app/products.js';
import type { Database } from '../../src/db/client.js';

/** Thrown when no product has the given id; an API answers 404 for it. */
export class ProductNotFoundError extends Error {
  override name = 'ProductNotFoundError';

  /** Creates the error for product `id`. */
  constructor(readonly productId: number) {
    super(`Product ${productId} does not exist`);
  }
}

/**
 * Sets the product's price and invalidates its cache entry (`productCacheKey(id)`,
 * `src/app/products.ts`), so the cached copy never outlives the write: as soon as this
 * resolves, a read through the cache sees the new price, even when another request read the
 * product through the cache while the update was under way. Resolves to the updated product
 * with its category.
 *
 * @throws RangeError when `priceCents` is not a whole number of 0 or more (nothing changes).
 * @throws ProductNotFoundError when no product has that id.
 */
export async function updateProductPrice(cache: Cache, db: Database, id: number, priceCents: number): Promise<ProductJson> {
  throw new Error('TODO(chapter 5): update the price in the database, then remove the cached product so the next read reloads it');
}

/**
 * Deletes the product and its cache entry, in an order that leaves no cached copy behind even
 * when another request reads it through the cache meanwhile. Resolves to `true` when the product
 * existed, `false` when there was no such product.
 */
export async function deleteProduct(cache: Cache, db: Database, id: number): Promise<boolean> {
  throw new Error('TODO(chapter 5): delete the product from the database, then remove it from the cache; false when it did not exist');
}
