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
  throw new Error(
    'TODO(chapter 3): index the next batchSize products with id > afterId, then add the successor job with the new cursor unless this batch was the last',
  );
}
