import { expect, it, vi } from 'vitest';
import { expectNoNPlusOne, expectNoQueries, expectQueries, watchQueries } from '../../src/queries/index.js';
import type { Product } from '../../src/generated/sqlite/client.js';
import { reverseUnorderedReads, useTestEnv } from '../../test/harness.js';
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
  await reverseUnorderedReads(env);
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

it('reaches every product when the handler deletes each batch it is handed (a purge)', async () => {
  const ids = await writeProducts(23);
  const seen: number[] = [];
  await forEachProductBatch(env.db, 5, async (batch) => {
    expect(batch.length).toBeLessThanOrEqual(5);
    seen.push(...batch.map((product) => product.id));
    await env.db.product.deleteMany({ where: { id: { in: batch.map((product) => product.id) } } });
  });
  expect(seen).toEqual(ids);
  expect(await env.db.product.count()).toBe(0);
});

it('stops after the last full batch when the count is an exact multiple of the batch size', async () => {
  const ids = await writeProducts(20);
  const sizes: number[] = [];
  const seen: number[] = [];
  // At most one read per batch, plus the one that finds nothing after the last full batch.
  await expectQueries({ atMost: 3, tables: ['Product'] }, () =>
    forEachProductBatch(watchQueries(env.db), 10, async (batch) => {
      sizes.push(batch.length);
      seen.push(...batch.map((product) => product.id));
    }),
  );
  expect(sizes).toEqual([10, 10]);
  expect(seen).toEqual(ids);
});

it('hands over nothing for an empty table, and one batch when the table is smaller than a batch', async () => {
  const handle = vi.fn(async (_batch: Product[]) => {});
  await forEachProductBatch(env.db, 10, handle);
  expect(handle).not.toHaveBeenCalled();

  const ids = await writeProducts(7);
  await forEachProductBatch(env.db, 100, handle);
  expect(handle.mock.calls.map(([batch]) => batch.map((product) => product.id))).toEqual([ids]);
});

it.each([0, -5, 2.5, Number.NaN])('rejects a batch size of %s with a RangeError, before any query', async (batchSize) => {
  await writeProducts(3);
  const handle = vi.fn(async () => {});
  await expectNoQueries(() => expect(forEachProductBatch(watchQueries(env.db), batchSize, handle)).rejects.toBeInstanceOf(RangeError));
  expect(handle).not.toHaveBeenCalled();
});
