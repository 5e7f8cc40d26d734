import type { RequestHandler } from 'express';
import type { Database } from '../../src/db/client.js';

/** The body of a 200 answer from {@link categoryRoute}. */
export interface CategoryBody {
  id: number;
  name: string;
  /** The category's products, by id. */
  products: { id: number; name: string; priceCents: number }[];
}

/**
 * `GET /categories/:id` with HTTP caching, like Rails' `fresh_when(@category)` plus
 * `expires_in 5.minutes, public: true`. Mount it with `app.get('/categories/:id', categoryRoute(db))`.
 *
 * Before any other work it reads only the category's id and `updatedAt`, and sets:
 * - `ETag`: a weak validator (`W/"…"`) made from the id and `updatedAt`, so it changes whenever
 *   the category is touched (product writes touch it: see `category-page`);
 * - `Last-Modified`: the `updatedAt`, as an HTTP date;
 * - `Cache-Control: public, max-age=300`.
 *
 * When the request's validators (`If-None-Match`, or else `If-Modified-Since`) still match and
 * the request does not ask to bypass caches (`Cache-Control: no-cache`), it answers
 * `304 Not Modified` with no body, having run that one query only. Otherwise it answers 200 with
 * a {@link CategoryBody}.
 *
 * Errors are JSON `{ "error": "…" }`: 400 when the id is not a whole number from 1 to
 * 2147483647, 404 when no category has it.
 */
export function categoryRoute(db: Database): RequestHandler<{ id: string }> {
  return (_req, res) => {
    res.status(501).json({
      error: 'TODO(chapter 5): load only id and updatedAt, set ETag, Last-Modified and Cache-Control, answer 304 when req.fresh, else 200 with the products',
    });
  };
}
