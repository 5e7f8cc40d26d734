import { expect, it } from 'vitest';
import { expectNoNPlusOne, expectQueries, watchQueries } from '../../src/queries/index.js';
import type { Product } from '../../src/generated/sqlite/client.js';
import { useTestEnv } from '../../test/harness.js';
import { forEachProductBatch } from './product-batches.js';

const env = useTestEnv();

async function writeProducts(count: number): Promise<number[]> {
  const category = await env.db.category.create({ data: { name: 'Books' } });
  await env.db.product.createMany({
    data: Array.from({ length: count }, (_, n) => ({ name: `Book ${n + 1}`, priceCents: 1000 + n, categoryId: category.id })),
  });
  return (await env.db.product.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((p) => p.id);
}

it('hands over every product once, in id order, in batches of at most batchSize', async () => {
  const ids = await writeProducts(25);
  const batches: Product[][] = [];
  await forEachProductBatch(watchQueries(env.db), 10, async (batch) => {
    batches.push(batch);
  });
  expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  expect(batches.flat().map((product) => product.id)).toEqual(ids);
});

it('reads one batch per query: 3 or 4 queries for 25 products in batches of 10', async () => {
  await writeProducts(25);
  let handled = 0;
  await expectQueries({ atLeast: 3, atMost: 4, tables: ['Product'] }, () =>
    forEachProductBatch(watchQueries(env.db), 10, async (batch) => {
      handled += batch.length;
    }),
  );
  expect(handled).toBe(25);
});

it('walks a big table in many small batches, which the helper does not call an N+1', async () => {
  const ids = await writeProducts(30);
  const seen: number[] = [];
  await expectNoNPlusOne(() =>
    forEachProductBatch(watchQueries(env.db), 4, async (batch) => {
      expect(batch.length).toBeLessThanOrEqual(4);
      seen.push(...batch.map((product) => product.id));
    }),
  );
  expect(seen).toEqual(ids);
});

it('rejects a batch size below 1 with a clear error', async () => {
  await writeProducts(3);
  await expect(forEachProductBatch(env.db, 0, async () => {})).rejects.toThrow(/batchSize/);
});
