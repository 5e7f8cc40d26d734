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
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a whole number of 1 or more, got ${batchSize}`);
  }
  // Remember where the walk is by value (the last id seen), not by row: Prisma's
  // `cursor: { id }, skip: 1` needs the cursor row to still exist, and finds nothing once
  // `handle` has deleted it; `id > lastId` does not care whether that row is still there.
  let lastId = 0;
  for (;;) {
    const batch = await db.product.findMany({ where: { id: { gt: lastId } }, orderBy: { id: 'asc' }, take: batchSize });
    if (batch.length === 0) return;
    await handle(batch);
    // A short batch was the last one; a full one may be followed by an empty read.
    if (batch.length < batchSize) return;
    lastId = batch[batch.length - 1]!.id;
  }
}
