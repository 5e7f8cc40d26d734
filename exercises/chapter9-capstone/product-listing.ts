import type { Router } from 'express';
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
  throw new Error(
    "TODO(chapter 9): return an express Router with GET /products: check limit and after, set ETag and Last-Modified from aggregates, answer 304 when req.fresh, else one findMany ordered by id with select and _count",
  );
}
