import type { Queue } from 'bullmq';
import { Router, type Request, type Response } from 'express';
import { recordCacheKey, type Cache } from '../../src/cache/index.js';
import type { Database } from '../../src/db/client.js';
import { Prisma } from '../../src/generated/sqlite/client.js';

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

/** The largest id Prisma's `Int` holds. */
const MAX_ID = 2_147_483_647;

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
export function productRoutes({ db, cache, queue, now = () => new Date() }: ProductRoutesOptions): Router {
  const router = Router();

  router.get('/products/:id', async (req: Request<{ id: string }>, res: Response) => {
    const id = parseId(req.params.id);
    if (id === undefined) return badId(res, req.params.id);

    // The validators come from the cheapest read there is, before the cache or the body.
    const version = await db.product.findUnique({ where: { id }, select: { id: true, updatedAt: true } });
    if (!version) return notFound(res, id);
    res.set({
      ETag: `W/"product-${version.id}-${version.updatedAt.getTime()}"`,
      'Last-Modified': version.updatedAt.toUTCString(),
    });
    // jshttp/fresh: If-None-Match wins over If-Modified-Since; Cache-Control: no-cache is never fresh.
    if (req.fresh) {
      res.status(304).end();
      return;
    }

    const { key, version: cacheVersion } = recordCacheKey('products', version);
    const body = await cache.fetch(key, { version: cacheVersion, expiresIn: PRODUCT_CACHE_TTL_MS, skipNil: true }, () => loadBody(db, id));
    // Deleted between the two reads.
    if (!body) return notFound(res, id);
    res.json(body);
  });

  router.patch('/products/:id', async (req: Request<{ id: string }>, res: Response) => {
    const id = parseId(req.params.id);
    if (id === undefined) return badId(res, req.params.id);
    const changes = parseChanges(req.body);
    if (typeof changes === 'string') {
      res.status(400).json({ error: changes });
      return;
    }

    const savedAt = now();
    let product;
    try {
      // Prisma has no `touch: true`: the nested update of the category runs in the same
      // transaction as the product's, so the category page's version moves with the card's.
      product = await db.product.update({
        where: { id },
        data: { ...changes, updatedAt: savedAt, category: { update: { updatedAt: savedAt } } },
        include: { category: true },
      });
    } catch (error) {
      // P2025: no product has that id.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return notFound(res, id);
      throw error;
    }

    // The update has committed. Deleted before it, the entry would be cached again, old, by any
    // GET arriving in between.
    await cache.delete(recordCacheKey('products', product).key);
    // after_save_commit: the job's Worker reads the committed row. While a warm job of this
    // product is still waiting, it will read this save too: a second one would be wasted work.
    await queue.add(WARM_PRODUCT_JOB, { productId: id }, { deduplication: { id: `${WARM_PRODUCT_JOB}-${id}` } });
    res.json(toBody(product));
  });

  return router;
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
  const product = await db.product.findUnique({ where: { id: productId }, include: { category: true } });
  if (!product) return false;
  const { key, version } = recordCacheKey('products', product);
  // write, not fetch: a warming job refreshes the entry instead of reading it.
  const written = await cache.write(key, toBody(product), { version, expiresIn: PRODUCT_CACHE_TTL_MS });
  if (!written) throw new Error(`Could not write product ${productId} to the cache`);
  return true;
}

type ProductWithCategory = Prisma.ProductGetPayload<{ include: { category: true } }>;

async function loadBody(db: Database, id: number): Promise<ProductBody | null> {
  const product = await db.product.findUnique({ where: { id }, include: { category: true } });
  return product && toBody(product);
}

function toBody(product: ProductWithCategory): ProductBody {
  return {
    id: product.id,
    name: product.name,
    priceCents: product.priceCents,
    stock: product.stock,
    category: { id: product.category.id, name: product.category.name },
    updatedAt: product.updatedAt.toISOString(),
  };
}

/** The fields a PATCH may change, or the reason the body is refused. */
function parseChanges(body: unknown): { name?: string; priceCents?: number; stock?: number } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The body must be a JSON object';
  const { name, priceCents, stock } = body as Record<string, unknown>;
  const changes: { name?: string; priceCents?: number; stock?: number } = {};
  if (name !== undefined) {
    if (typeof name !== 'string' || name.trim() === '') return 'name must be a string that is not blank';
    changes.name = name.trim();
  }
  for (const [field, value] of [['priceCents', priceCents], ['stock', stock]] as const) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_ID) return `${field} must be a whole number from 0 to ${MAX_ID}`;
    changes[field] = value as number;
  }
  if (Object.keys(changes).length === 0) return 'Give at least one of name, priceCents and stock';
  return changes;
}

function parseId(text: string): number | undefined {
  const id = /^\d{1,10}$/.test(text) ? Number(text) : 0;
  return id >= 1 && id <= MAX_ID ? id : undefined;
}

function badId(res: Response, text: string): void {
  res.status(400).json({ error: `A product id is a whole number from 1 to ${MAX_ID}, got "${text}"` });
}

function notFound(res: Response, id: number): void {
  res.status(404).json({ error: `Product ${id} not found` });
}
