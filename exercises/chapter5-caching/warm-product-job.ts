import type { Job, Queue } from 'bullmq';
import type { Cache } from '../../src/cache/index.js';
import type { Database } from '../../src/db/client.js';

/** The name of the job that warms one product's cache entry. */
export const WARM_PRODUCT_JOB = 'warm-product';

/** How long a warmed entry lives: 5 minutes, the same expiry as a product cached on read. */
export const WARM_TTL_MS = 5 * 60 * 1000;

/** The data of a `warm-product` job: the product's id, never the product itself. */
export interface WarmProductData {
  productId: number;
}

/** What a product form sends: with an `id` it changes that product, without one it creates one. */
export interface ProductInput {
  id?: number;
  name: string;
  priceCents: number;
  categoryId: number;
}

/**
 * Saves a product, then warms its cache in the background, like a model with
 * `after_commit :enqueue_cache_warming`: creates the product when `input.id` is absent, otherwise
 * sets that product's name, price and category; and only once that write has committed, adds a
 * `warm-product` job ({@link WARM_PRODUCT_JOB}) whose data is exactly `{ productId }`.
 * Resolves to the product's id and the job. Nothing is enqueued when the write fails.
 *
 * @throws Error naming the id when `input.id` names no product.
 */
export async function saveProduct(
  db: Database,
  queue: Queue<WarmProductData>,
  input: ProductInput,
): Promise<{ productId: number; job: Job<WarmProductData> }> {
  throw new Error('TODO(chapter 5): create or update the product, and only after the write enqueue "warm-product" with { productId }');
}

/**
 * The body of the `warm-product` job: reads the product with its category and writes it, as
 * `ProductJson`, under `productCacheKey(productId)` (`src/app/products.ts`) for
 * {@link WARM_TTL_MS}. It replaces whatever entry is there, fresh or not: a warming job exists
 * to refresh the cache, not to read it. Resolves to `true`, or to `false` without writing
 * anything when the product does not exist (any more): the job then ends without a retry.
 *
 * @throws Error when the cache could not store the entry (Redis down), so that BullMQ retries the job.
 */
export async function warmProduct(cache: Cache, db: Database, productId: number): Promise<boolean> {
  throw new Error('TODO(chapter 5): load the product with its category and write it to the cache, replacing any entry; false when it is gone');
}
