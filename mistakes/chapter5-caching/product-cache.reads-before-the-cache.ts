// Mistake: loads the product from the database first and only then asks the cache, so every call still queries
import type { Cache } from '../../src/cache/index.js';
import { productCacheKey, toProductJson, type ProductJson } from '../../src/app/products.js';
import type { Database } from '../../src/db/client.js';

/** How long a cached product is served: 5 minutes, in milliseconds (Rails' `expires_in: 5.minutes`). */
export const PRODUCT_TTL_MS = 5 * 60 * 1000;

/**
 * The product with its category, as {@link ProductJson}, cached like
 * `Rails.cache.fetch("products/#{id}", expires_in: 5.minutes, skip_nil: true) { … }`:
 *
 * - on a miss it loads the product and its category from the database and caches the result
 *   under `productCacheKey(id)` (`src/app/products.ts`) for {@link PRODUCT_TTL_MS};
 * - until that entry expires, it answers from the cache without querying the database;
 * - a product that does not exist resolves to `null`, and that `null` is not cached: once the
 *   product is created, the next call finds it.
 */
export async function fetchProduct(cache: Cache, db: Database, id: number): Promise<ProductJson | null> {
  // skipNil: a cached null would hide a product created a moment later for the whole TTL.
  const product = await db.product.findUnique({ where: { id }, include: { category: true } });
  // Cache plain JSON, not the Prisma record: its Dates would come back from the cache as strings.
  return cache.fetch(productCacheKey(id), { expiresIn: PRODUCT_TTL_MS, skipNil: true }, async () => product && toProductJson(product));
}
