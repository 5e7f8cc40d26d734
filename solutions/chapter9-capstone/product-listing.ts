import { Router, type Request, type Response } from 'express';
import type { Database } from '../../src/db/client.js';

/** Products per page when the request gives no `limit`. */
export const DEFAULT_PAGE_SIZE = 20;

/** The largest `limit` a request may ask for. */
export const MAX_PAGE_SIZE = 100;

/** One row of `GET /products`. */
export interface ProductListItem {
  id: number;
  name: string;
  priceCents: number;
  /** The category's name. */
  category: string;
  /** How many reviews the product has. */
  reviewCount: number;
}

/** The largest id Prisma's `Int` holds. */
const MAX_ID = 2_147_483_647;

/**
 * The shop's `ProductsController#index`, without its N+1s. Mount it with
 * `app.use(listingRoutes({ db }))`.
 *
 * `GET /products?limit=&after=` answers 200 with a JSON array of {@link ProductListItem}, by id,
 * at most `limit` of them (a whole number from 1 to {@link MAX_PAGE_SIZE}; default
 * {@link DEFAULT_PAGE_SIZE}), only those whose id is greater than `after` (a whole number from 0
 * to 2147483647; default 0): the next page starts after the last id of this one. Any other
 * `limit` or `after` gets 400 with `{ "error": "…" }`.
 *
 * It runs the same, small number of SQL statements however many products the page holds: the
 * categories are not read one per product, and reviews are counted by the database, never
 * loaded.
 *
 * Like `fresh_when(etag: …, last_modified: …)`, before it reads the page it reads validators
 * that change whenever the page could: the number of products and their newest `updatedAt`,
 * the number of reviews and the newest review's `createdAt` (a review does not touch its
 * product), and the newest category `updatedAt` (a renamed category changes every row of it).
 * It sets a weak `ETag` (`W/"…"`) from them and from the page asked for, and `Last-Modified`
 * from the newest of those dates (none for an empty shop). When the request's `If-None-Match`
 * (or, without it, `If-Modified-Since`) matches, it answers 304 with no body, without reading
 * the page.
 */
export function listingRoutes({ db }: { db: Database }): Router {
  const router = Router();
  router.get('/products', async (req: Request, res: Response) => {
    const limit = parseWhole(req.query.limit, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const after = parseWhole(req.query.after, 0, 0, MAX_ID);
    if (limit === undefined) return void res.status(400).json({ error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
    if (after === undefined) return void res.status(400).json({ error: `after must be a product id, a whole number from 0 to ${MAX_ID}` });

    // Three aggregates, each one row, whatever the size of the shop.
    const [products, reviews, categories] = await Promise.all([
      db.product.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
      db.review.aggregate({ _count: { _all: true }, _max: { createdAt: true } }),
      db.category.aggregate({ _max: { updatedAt: true } }),
    ]);
    const dates = [products._max.updatedAt, reviews._max.createdAt, categories._max.updatedAt].filter((d): d is Date => d !== null);
    const ms = (d: Date | null) => d?.getTime() ?? 0;
    res.set(
      'ETag',
      `W/"products-${limit}-${after}-${products._count._all}-${ms(products._max.updatedAt)}-${reviews._count._all}-${ms(reviews._max.createdAt)}-${ms(categories._max.updatedAt)}"`,
    );
    if (dates.length > 0) res.set('Last-Modified', new Date(Math.max(...dates.map(ms))).toUTCString());
    if (req.fresh) return void res.status(304).end();

    // select, not include: only the columns the page shows, the category's name in one batched
    // read for the whole page, and the reviews counted inside the products query.
    const page = await db.product.findMany({
      where: { id: { gt: after } },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, name: true, priceCents: true, category: { select: { name: true } }, _count: { select: { reviews: true } } },
    });
    const body: ProductListItem[] = page.map((p) => ({
      id: p.id,
      name: p.name,
      priceCents: p.priceCents,
      category: p.category.name,
      reviewCount: p._count.reviews,
    }));
    res.json(body);
  });
  return router;
}

/** The query parameter as a whole number in [min, max], `fallback` when absent, `undefined` when invalid. */
function parseWhole(value: unknown, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}
