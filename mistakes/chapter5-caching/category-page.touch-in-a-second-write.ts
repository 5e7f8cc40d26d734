// Mistake: renames the product, then touches the category in a second write outside any transaction: a failed touch leaves a renamed product under an unchanged page version
import { recordCacheKey, type Cache } from '../../src/cache/index.js';
import type { ProductJson } from '../../src/app/products.js';
import type { Database } from '../../src/db/client.js';
import { Prisma, type Product } from '../../src/generated/sqlite/client.js';

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
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed) throw new TypeError('A product name must not be blank');
  // Prisma has no `touch: true`: a nested update of the category sets its updatedAt in the same
  // transaction as the product's change, so the page's version moves whenever a card's does.
  const product = await db.product
    .update({ where: { id }, data: { name: trimmed } })
    .catch((error: unknown) => {
      // P2025: the product to update does not exist.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') throw new Error(`Product ${id} does not exist`);
      throw error;
    });
  await db.category.update({ where: { id: product.categoryId }, data: { updatedAt: new Date() } });
  return toCard(product);
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
  // The version has to be known before the cache is asked, so this small read runs every time;
  // it is the price of never serving a page older than its category.
  const category = await db.category.findUnique({ where: { id: categoryId }, select: { id: true, name: true, updatedAt: true } });
  if (!category) return null;

  const { key, version } = recordCacheKey('categories', category);
  return cache.fetch(key, { version, expiresIn: PAGE_TTL_MS }, async () => {
    const products = await db.product.findMany({ where: { categoryId }, orderBy: { id: 'asc' } });
    // The inner dolls: a product that has not changed since its card was cached is not rebuilt.
    const cards = await Promise.all(
      products.map((product) => {
        const card = recordCacheKey('product-cards', product);
        return cache.fetch(card.key, { version: card.version, expiresIn: PAGE_TTL_MS }, () => toCard(product));
      }),
    );
    return { id: category.id, name: category.name, products: cards };
  });
}

function toCard(product: Product): ProductCard {
  return { id: product.id, name: product.name, priceCents: product.priceCents, updatedAt: product.updatedAt.toISOString() };
}
