// Mistake: checks only that batchSize is above 0, so 2.5 or NaN reaches Prisma's take and fails with a validation error instead of a RangeError
import type { Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';

/** The job name the worker and the schedule file use. */
export const INDEX_PRODUCTS_JOB = 'index-products';

/** Products per job when the data does not say. */
export const DEFAULT_BATCH_SIZE = 100;

/** The payload of an `index-products` job. The first job of a walk has no cursor. */
export interface IndexProductsData {
  /** The cursor: the id of the last product the previous batch indexed. */
  afterId?: number;
  /** Products per job; {@link DEFAULT_BATCH_SIZE} when absent. */
  batchSize?: number;
}

/** What one batch did. */
export interface IndexProductsResult {
  /** How many products this job indexed (at most the batch size). */
  indexed: number;
  /** The cursor handed to the successor job, or `null` when this batch was the last. */
  nextAfterId: number | null;
}

/**
 * One step of a walk over every product, like a Sidekiq job that re-enqueues itself with the
 * next offset: indexes the next `batchSize` products after `afterId` (sets `indexedAt`), then,
 * unless the table is done, adds an `index-products` job for the next batch. Each job stays
 * short, so a deploy or a crash loses at most one batch, never the whole walk.
 *
 * Running the same step twice (a retry, a redelivery) must not start a second chain.
 *
 * @throws RangeError when `batchSize` is not a whole number above 0.
 */
export async function indexProductsBatch(
  db: Database,
  queue: Queue,
  data: IndexProductsData,
  now: () => Date = () => new Date(),
): Promise<IndexProductsResult> {
  const { afterId, batchSize = DEFAULT_BATCH_SIZE } = data;
  if (batchSize < 1) {
    throw new RangeError(`index-products: batchSize must be a whole number above 0, got ${JSON.stringify(batchSize)}`);
  }

  // `id > afterId`, not an offset (rows deleted meanwhile would shift it) and not Prisma's
  // `cursor` option (it finds nothing once the cursor row itself is deleted).
  const batch = await db.product.findMany({
    where: afterId === undefined ? {} : { id: { gt: afterId } },
    orderBy: { id: 'asc' },
    take: batchSize,
    select: { id: true },
  });
  if (batch.length === 0) return { indexed: 0, nextAfterId: null };

  const ids = batch.map((product) => product.id);
  await db.product.updateMany({ where: { id: { in: ids } }, data: { indexedAt: now() } });
  // A short batch means the table is done; a full one may have more behind it.
  if (batch.length < batchSize) return { indexed: batch.length, nextAfterId: null };

  const nextAfterId = ids[ids.length - 1]!;
  const successor = `${INDEX_PRODUCTS_JOB}-after-${nextAfterId}`;
  // While this successor is waiting, a rerun of this step adds nothing.
  await queue.add(INDEX_PRODUCTS_JOB, { afterId: nextAfterId, batchSize }, { deduplication: { id: successor } });
  return { indexed: batch.length, nextAfterId };
}
