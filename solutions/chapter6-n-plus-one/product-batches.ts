import type { Database } from '../../src/db/client.js';
import type { Product } from '../../src/generated/sqlite/client.js';

/**
 * Hands every product to `handle`, in id order, `batchSize` at a time, like Rails'
 * `Product.find_in_batches(batch_size: 100) { |batch| ... }`: memory stays flat however big the
 * table grows, because no query reads more than one batch.
 *
 * @throws Error when `batchSize` is not a whole number of 1 or more.
 */
export async function forEachProductBatch(
  db: Database,
  batchSize: number,
  handle: (batch: Product[]) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batchSize must be a whole number of 1 or more, got ${batchSize}`);
  }
  let cursor: number | undefined;
  for (;;) {
    const batch = await db.product.findMany({
      orderBy: { id: 'asc' },
      take: batchSize,
      // After the first batch: start at the last id seen and skip that row itself.
      ...(cursor === undefined ? {} : { cursor: { id: cursor }, skip: 1 }),
    });
    if (batch.length === 0) return;
    await handle(batch);
    if (batch.length < batchSize) return;
    cursor = batch[batch.length - 1]!.id;
  }
}
