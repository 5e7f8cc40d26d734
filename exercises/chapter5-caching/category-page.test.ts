import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, postgresSkipReason, reverseUnorderedReads, type TestEnv, useTestEnv, waitUntil } from '../../test/harness.js';
import { categoryPage, renameProduct } from './category-page.js';
import { createTestCache, writeCatalogue, WRITTEN_AT, type ProductWithCategory } from './test-cache.js';

const env = useTestEnv();

function card(product: ProductWithCategory, changes: { name?: string; updatedAt?: string } = {}) {
  return { id: product.id, name: product.name, priceCents: product.priceCents, updatedAt: product.updatedAt.toISOString(), ...changes };
}

/**
 * Makes every UPDATE of `table` fail until the end of the test, in the database's own dialect:
 * it stands in for a write that fails half-way (a lock timeout, a constraint).
 */
async function refuseUpdates(env: TestEnv, table: 'Category' | 'Product') {
  const name = `refuse_${table.toLowerCase()}_update`;
  if (env.database === 'postgres') {
    await env.db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '${table} is read-only'; END $$ LANGUAGE plpgsql`);
    await env.db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${name}()`);
    env.track({ close: () => env.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON "${table}"`) });
  } else {
    await env.db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE UPDATE ON "${table}" BEGIN SELECT RAISE(ABORT, '${table} is read-only'); END`);
    env.track({ close: () => env.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name}`) });
  }
}

// The touch is the lesson: the product and its category change in one transaction, or neither.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`renameProduct on ${database}`, () => {
    const env = useTestEnv({ database });

    it("renames the product and touches its category, and only its category", async () => {
      const { products, categories } = await writeCatalogue(env.db);
      const product = products[4]!; // in Category 2

      const renamed = await renameProduct(env.db, product.id, 'Renamed');
      const stored = await env.db.product.findUniqueOrThrow({ where: { id: product.id } });
      expect(stored.name).toBe('Renamed');
      expect(renamed).toEqual(card(product, { name: 'Renamed', updatedAt: stored.updatedAt.toISOString() }));

      const [first, second] = await env.db.category.findMany({ orderBy: { id: 'asc' } });
      expect(second!.id).toBe(categories[1]!.id);
      expect(second!.updatedAt.getTime()).toBeGreaterThan(WRITTEN_AT.getTime());
      expect(first!.updatedAt).toEqual(WRITTEN_AT);
    });

    it('renames nothing when its category cannot be touched', async () => {
      const { products } = await writeCatalogue(env.db);
      const product = products[0]!;
      await renameProduct(env.db, product.id, 'First');
      const before = await env.db.product.findUniqueOrThrow({ where: { id: product.id } });

      await refuseUpdates(env, 'Category');
      await expect(renameProduct(env.db, product.id, 'Second')).rejects.toThrow();
      expect(await env.db.product.findUniqueOrThrow({ where: { id: product.id } })).toEqual(before);
    });

    it('touches no category when the product cannot be renamed', async () => {
      const { products } = await writeCatalogue(env.db);
      const product = products[0]!;
      await renameProduct(env.db, product.id, 'First');
      const category = await env.db.category.findUniqueOrThrow({ where: { id: product.categoryId } });

      await refuseUpdates(env, 'Product');
      await expect(renameProduct(env.db, product.id, 'Second')).rejects.toThrow();
      expect(await env.db.product.findUniqueOrThrow({ where: { id: product.id } })).toMatchObject({ name: 'First' });
      expect(await env.db.category.findUniqueOrThrow({ where: { id: product.categoryId } })).toEqual(category);
    });
  });
}

describe('renameProduct', () => {
  it('rejects a blank name with a TypeError and changes nothing', async () => {
    const { products } = await writeCatalogue(env.db);
    await expect(renameProduct(env.db, products[0]!.id, '  ')).rejects.toBeInstanceOf(TypeError);
    expect(await env.db.product.findUniqueOrThrow({ where: { id: products[0]!.id } })).toMatchObject({ name: 'Product 1', updatedAt: WRITTEN_AT });
    expect((await env.db.category.findFirstOrThrow()).updatedAt).toEqual(WRITTEN_AT);
  });

  it('throws an error naming a missing product, and touches no category', async () => {
    await writeCatalogue(env.db);
    await expect(renameProduct(env.db, 4242, 'Ghost')).rejects.toThrow(/4242/);
    expect(await env.db.category.count({ where: { updatedAt: { not: WRITTEN_AT } } })).toBe(0);
  });
});

describe('categoryPage', () => {
  it("shows the category with its products' cards by id, and a renamed product at once", async () => {
    const { cache } = await createTestCache(env);
    const { products, categories } = await writeCatalogue(env.db);
    const category = categories[0]!;
    const inCategory = products.filter((p) => p.categoryId === category.id);
    await reverseUnorderedReads(env);

    expect(await categoryPage(cache, env.db, category.id)).toEqual({ id: category.id, name: 'Category 1', products: inCategory.map((p) => card(p)) });

    await renameProduct(env.db, inCategory[1]!.id, 'Renamed');
    const page = await categoryPage(cache, env.db, category.id);
    expect(page?.products.map((p) => p.name)).toEqual(['Product 1', 'Renamed', 'Product 3']);
  });

  it('keeps one key per record: renames replace entries and never add keys', async () => {
    const { cache, keys } = await createTestCache(env);
    const { products, categories } = await writeCatalogue(env.db);
    await categoryPage(cache, env.db, categories[0]!.id);
    const before = await keys();
    expect(before.length).toBeGreaterThan(0);

    for (const name of ['First', 'Second', 'Third']) {
      // updatedAt has millisecond resolution: two renames in one millisecond would share a version.
      const last = Date.now();
      await waitUntil(() => Date.now() > last);
      await renameProduct(env.db, products[0]!.id, name);
      expect((await categoryPage(cache, env.db, categories[0]!.id))?.products[0]?.name).toBe(name);
    }
    expect(await keys()).toEqual(before);
  });

  it("after a rename, rewrites the page and the renamed product's card, and reuses the other cards", async () => {
    const { cache, snapshot, advance } = await createTestCache(env);
    const { products, categories } = await writeCatalogue(env.db, { categories: 1, productsPerCategory: 5 });
    await categoryPage(cache, env.db, categories[0]!.id);
    const before = await snapshot();

    advance(1000); // so that any entry written again differs from before, if only in its expiry
    await renameProduct(env.db, products[2]!.id, 'Renamed');
    await categoryPage(cache, env.db, categories[0]!.id);
    const after = await snapshot();

    expect([...after.keys()]).toEqual([...before.keys()]);
    const rewritten = [...after].filter(([key, value]) => before.get(key) !== value).map(([, value]) => value);
    expect(rewritten).toHaveLength(2); // the page and one card; the 4 other cards are reused as they were
    for (const entry of rewritten) expect(entry).toContain('Renamed');
  });

  it('answers null for a missing category and caches nothing', async () => {
    const { cache, keys } = await createTestCache(env);
    await writeCatalogue(env.db);
    await expect(categoryPage(cache, env.db, 4242)).resolves.toBeNull();
    expect(await keys()).toEqual([]);
  });
});
