// Mistake: parses the id with parseInt, which reads "1.5" as 1 and "12abc" as 12 instead of refusing them
import type { RequestHandler } from 'express';
import type { Database } from '../../src/db/client.js';

/** The body of a 200 answer from {@link categoryRoute}. */
export interface CategoryBody {
  id: number;
  name: string;
  /** The category's products, by id. */
  products: { id: number; name: string; priceCents: number }[];
}

/** The largest id Prisma's `Int` holds; anything above would fail in the query instead of here. */
const MAX_ID = 2_147_483_647;

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
  return async (req, res) => {
    const id = Number.parseInt(req.params.id, 10) || 0;
    if (id < 1 || id > MAX_ID) {
      res.status(400).json({ error: `Category id must be a whole number from 1 to ${MAX_ID}, got "${req.params.id}"` });
      return;
    }

    // The validators come from the cheapest possible read. express would make an ETag from the
    // rendered body by itself, but by then every query has run: that saves bytes, not work.
    const version = await db.category.findUnique({ where: { id }, select: { id: true, updatedAt: true } });
    if (!version) {
      res.status(404).json({ error: `Category ${id} not found` });
      return;
    }
    res.set({
      ETag: `W/"category-${version.id}-${version.updatedAt.getTime()}"`,
      'Last-Modified': version.updatedAt.toUTCString(),
      'Cache-Control': 'public, max-age=300',
    });
    // req.fresh compares the request's If-None-Match / If-Modified-Since with the headers just
    // set, lets If-None-Match win, and says false for Cache-Control: no-cache (jshttp/fresh).
    if (req.fresh) {
      res.status(304).end();
      return;
    }

    const category = await db.category.findUnique({
      where: { id },
      select: { id: true, name: true, products: { select: { id: true, name: true, priceCents: true }, orderBy: { id: 'asc' } } },
    });
    if (!category) {
      res.status(404).json({ error: `Category ${id} not found` });
      return;
    }
    // Should the category change between the two reads, this newer body goes out under the older
    // ETag; the client's next request carries that ETag, which no longer matches, and gets 200.
    const body: CategoryBody = category;
    res.json(body);
  };
}
