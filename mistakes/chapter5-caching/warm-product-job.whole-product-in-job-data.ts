// Mistake: puts the whole product into the job data, a copy that is stale by the time the job runs
import type { Job, Queue } from 'bullmq';
import type { Cache } from '../../src/cache/index.js';
import { productCacheKey, toProductJson } from '../../src/app/products.js';
import type { Database } from '../../src/db/client.js';
import { Prisma } from '../../src/generated/sqlite/client.js';

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
  const data = { name: input.name, priceCents: input.priceCents, categoryId: input.categoryId };
  let productId: number;
  if (input.id === undefined) {
    productId = (await db.product.create({ data, select: { id: true } })).id;
  } else {
    try {
      productId = (await db.product.update({ where: { id: input.id }, data, select: { id: true } })).id;
    } catch (error) {
      // P2025: the product to update does not exist.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
        throw new Error(`Product ${input.id} does not exist`);
      }
      throw error;
    }
  }
  // The write has committed: a Worker that picks the job up at once reads the new row. Only the
  // id goes into the job; a copy of the product would be stale by the time the job runs.
  const product = await db.product.findUniqueOrThrow({ where: { id: productId } });
  const job = await queue.add(WARM_PRODUCT_JOB, { productId, name: product.name, priceCents: product.priceCents } as WarmProductData);
  return { productId, job };
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
  const product = await db.product.findUnique({ where: { id: productId }, include: { category: true } });
  // Deleted since the job was enqueued: nothing to warm, and retrying would not bring it back.
  if (!product) return false;
  // write, not fetch: fetch would find the old entry and keep it (Rails: fetch(force: true)).
  const written = await cache.write(productCacheKey(productId), toProductJson(product), { expiresIn: WARM_TTL_MS });
  // The cache fails open (write resolves to false): for a job whose only work is this write,
  // failing is better, so that BullMQ's retries try again once Redis is back.
  if (!written) throw new Error(`Could not write product ${productId} to the cache`);
  return true;
}
