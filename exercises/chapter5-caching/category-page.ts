import type { Cache } from '../../src/cache/index.js';
import type { ProductJson } from '../../src/app/products.js';
import type { Database } from '../../src/db/client.js';

/** How long page and card entries live at most: versions make them stale sooner when a record changes. */
export const PAGE_TTL_MS = 60 * 60 * 1000;

/**
 * A product as the category page shows it: {@link ProductJson} without the category, since the
 * card lives inside its category's page and must depend on the product alone.
 */
export type ProductCard = Omit<ProductJson, 'category'>;

/** The category page: the category and its products' cards, by product id. */
export interface CategoryPage {
  id: number;
  name: string;
  products: ProductCard[];
}

/**
 * Renames the product and touches its category (sets the category's `updatedAt` to now) in one
 * transaction, like `belongs_to :category, touch: true`: both change, or neither. Resolves to
 * the renamed product's card.
 *
 * @throws TypeError when `name` is blank (nothing changes).
 * @throws Error naming the id when no product has it.
 */
export async function renameProduct(db: Database, id: number, name: string): Promise<ProductCard> {
  throw new Error("TODO(chapter 5): rename the product and bump its category's updatedAt in the same transaction (Prisma has no touch: true)");
}

/**
 * The category page, Russian-doll cached with recyclable keys (Rails' `cache_key` plus
 * `cache_version`, see `recordCacheKey` in `src/cache`):
 *
 * - the whole page is cached under the category's own key, versioned by the category's `updatedAt`;
 * - inside it, each product's card is cached under its own key, `product-cards/<id>` (not
 *   `products/<id>`, where the app keeps whole products in another shape), versioned by the
 *   product's `updatedAt`;
 * - both for at most {@link PAGE_TTL_MS}.
 *
 * So a change to one product (which touches its category) rebuilds the page and that product's
 * card, reuses every other card, and leaves no outdated key behind: an entry of an older version
 * is overwritten under the same key. A missing category resolves to `null` and caches nothing.
 */
export async function categoryPage(cache: Cache, db: Database, categoryId: number): Promise<CategoryPage | null> {
  throw new Error(
    "TODO(chapter 5): read the category, then cache.fetch its page under its recyclable key and version; inside, fetch each product's card the same way",
  );
}
