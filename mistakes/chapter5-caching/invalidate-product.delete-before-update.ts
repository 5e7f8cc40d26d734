// Mistake: deletes the cache entry before updating the row, so a request in between caches the old price again
import type { Cache } from '../../src/cache/index.js';
import { productCacheKey, toProductJson, type ProductJson } from '../../src/app/products.js';
import type { Database } from '../../src/db/client.js';
import { Prisma } from '../../src/generated/sqlite/client.js';

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
  if (!Number.isInteger(priceCents) || priceCents < 0) {
    throw new RangeError(`priceCents must be a whole number of cents, 0 or more (got ${priceCents})`);
  }
  await cache.delete(productCacheKey(id));
  const product = await db.product
    .update({ where: { id }, data: { priceCents }, include: { category: true } })
    .catch((error: unknown) => {
      // P2025: the row to update does not exist.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') throw new ProductNotFoundError(id);
      throw error;
    });
  return toProductJson(product);
}

/**
 * Deletes the product and its cache entry, in an order that leaves no cached copy behind even
 * when another request reads it through the cache meanwhile. Resolves to `true` when the product
 * existed, `false` when there was no such product.
 */
export async function deleteProduct(cache: Cache, db: Database, id: number): Promise<boolean> {
  // deleteMany reports a count instead of throwing for a missing row.
  const { count } = await db.product.deleteMany({ where: { id } });
  // The same order as an update: the row first, then the entry. Delete the entry even when the
  // row was already gone, in case an earlier delete crashed between the two steps.
  await cache.delete(productCacheKey(id));
  return count > 0;
}
