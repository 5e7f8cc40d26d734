import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { Cache } from '../../src/cache/index.js';
import type { Database } from '../../src/db/client.js';

/** The name of the job that warms one product's cache entry, the shop's `WarmProductJob`. */
export const WARM_PRODUCT_JOB = 'warm-product';

/** How long a product's cache entry lives at most; its version makes it stale sooner. */
export const PRODUCT_CACHE_TTL_MS = 5 * 60 * 1000;

/** The data of a `warm-product` job: the product's id, never the product itself. */
export interface WarmProductData {
  productId: number;
}

/** A product as `GET /products/:id` and `PATCH /products/:id` answer it, and as the cache holds it. */
export interface ProductBody {
  id: number;
  name: string;
  priceCents: number;
  stock: number;
  category: { id: number; name: string };
  /** ISO 8601, in UTC. */
  updatedAt: string;
}

/** What {@link productRoutes} needs. */
export interface ProductRoutesOptions {
  db: Database;
  cache: Cache;
  /** Where `warm-product` jobs go. */
  queue: Queue<WarmProductData>;
  /** The clock a save stamps `updatedAt` with; tests pass a fake one. */
  now?: () => Date;
}

/**
 * The shop's `ProductsController#show` and `#update`. Mount it with
 * `app.use(express.json(), productRoutes({ db, cache, queue }))`. Errors are JSON
 * `{ "error": "…" }`; an id that is not a whole number from 1 to 2147483647 gets 400, an id
 * that names no product 404.
 *
 * `PATCH /products/:id` with a JSON object holding one or more of `name` (a string, not blank
 * once trimmed; stored trimmed), `priceCents` and `stock` (whole numbers from 0 to 2147483647); other
 * fields are ignored. 400 when none of the three is there or one is invalid, and then nothing
 * changes. Otherwise, like `belongs_to :category, touch: true` plus `after_save_commit`:
 * - one Prisma update sets the fields, the product's `updatedAt` and its category's `updatedAt`
 *   to `now()`, so both change or neither does;
 * - once that update has resolved, it deletes the product's cache entry (the key of
 *   `recordCacheKey('products', product)`): when the PATCH answers, the cache holds no copy of
 *   the product as it was before, even when a GET read it through the cache during the save;
 * - then it adds a `warm-product` job ({@link WARM_PRODUCT_JOB}) whose data is exactly
 *   `{ productId }`, deduplicated by product: while one is waiting, another save adds none;
 * - answers 200 with the saved {@link ProductBody}.
 * Nothing is enqueued when the save fails.
 *
 * `GET /products/:id`, like `fresh_when(@product)` in front of
 * `Rails.cache.fetch(product.cache_key_with_version)`: first reads only the product's `updatedAt`
 * and sets a weak `ETag` (`W/"…"`) that changes whenever `updatedAt` does (to the millisecond),
 * and `Last-Modified` (the HTTP date of `updatedAt`). When the request's `If-None-Match` (or,
 * without it, `If-Modified-Since`) matches, it answers 304 with no body, without reading the
 * cache. Otherwise it answers 200 with the {@link ProductBody}, through
 * `cache.fetch(key, { version, expiresIn: PRODUCT_CACHE_TTL_MS })` with the key and version of
 * `recordCacheKey('products', product)`, so a warm entry of the current version costs no query.
 */
export function productRoutes(options: ProductRoutesOptions): Router {
  throw new Error(
    'TODO(chapter 9): return an express Router with GET /products/:id (validators from updatedAt first, then cache.fetch with the record key and version) and PATCH /products/:id (validate, update and touch the category, then delete the cache entry, then enqueue warm-product)',
  );
}

/**
 * The `warm-product` job's work: loads the product and writes its {@link ProductBody} under the
 * key and version of `recordCacheKey('products', product)`, for {@link PRODUCT_CACHE_TTL_MS},
 * replacing whatever entry is there, so the next GET finds it. Resolves to `false`, writing
 * nothing, when the product no longer exists.
 *
 * @throws Error when the cache could not store the entry, so that BullMQ retries the job.
 */
export async function warmProduct({ db, cache }: { db: Database; cache: Cache }, productId: number): Promise<boolean> {
  throw new Error("TODO(chapter 9): load the product, then cache.write its body under recordCacheKey('products', product) with its version");
}
