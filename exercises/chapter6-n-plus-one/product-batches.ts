import type { Database } from '../../src/db/client.js';
import type { Product } from '../../src/generated/sqlite/client.js';

/**
 * Hands every product to `handle`, in id order, `batchSize` at a time, like Rails'
 * `Product.find_in_batches(batch_size: 100) { |batch| ... }`: memory stays flat however big the
 * table grows, because no query reads more than one batch. The walk reaches every product even
 * when `handle` deletes or changes the rows it was given (a purge, an archive).
 *
 * @throws RangeError when `batchSize` is not a whole number of 1 or more (before any query).
 */
export async function forEachProductBatch(
  db: Database,
  batchSize: number,
  handle: (batch: Product[]) => Promise<void>,
): Promise<void> {
  // TODO(chapter 6): this reads the whole table in one go. Read it a batch at a time with `take`, starting
  // after the last id of the previous batch, and reject a batchSize that is not a whole number of 1 or more.
  const products = await db.product.findMany({ orderBy: { id: 'asc' } });
  await handle(products);
}
