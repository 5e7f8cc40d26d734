/**
 * The demo's product catalogue as JSON: what the API answers and what the cache holds (chapter 5).
 *
 * @module Demo app/Product catalogue
 */
import type { Category, Product } from '../generated/sqlite/client.js';

/** A product with its category, as plain JSON (dates as ISO strings), ready to cache or send. */
export interface ProductJson {
  id: number;
  name: string;
  priceCents: number;
  category: { id: number; name: string };
  updatedAt: string;
}

/** The cache key of a product, `products/<id>`: the same key Rails' `cache_key` would give. */
export function productCacheKey(id: number): string {
  return `products/${id}`;
}

/**
 * Turns a Prisma product loaded with `include: { category: true }` into {@link ProductJson}.
 * A Prisma record holds `Date`s, which the cache refuses: JSON would hand them back as strings.
 */
export function toProductJson(product: Product & { category: Category }): ProductJson {
  return {
    id: product.id,
    name: product.name,
    priceCents: product.priceCents,
    category: { id: product.category.id, name: product.category.name },
    updatedAt: product.updatedAt.toISOString(),
  };
}
