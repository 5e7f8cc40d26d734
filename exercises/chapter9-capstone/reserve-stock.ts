import type { ConnectionOptions, Job, JobsOptions, Worker } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import type { OrderJobData, STOCK_QUEUE } from './place-order.js';

/**
 * The options `reserve-stock` jobs are added with: `sidekiq_options retry: 5`, so five retries
 * after the first run, with a backoff that leaves the warehouse time to restock.
 */
// TODO(chapter 9): the attempts that make five retries, and a backoff.
export const RESERVE_STOCK_JOB_OPTIONS: JobsOptions = {};

/** What {@link reserveStock} did, when it did not throw. */
export type ReservationOutcome =
  | { reserved: true; reservationId: number }
  | { reserved: false; reason: 'already-reserved' | 'order-not-found' };

/** Thrown by {@link reserveStock} when the product has fewer units than the order wants; worth retrying, since stock comes back. */
export class OutOfStockError extends Error {
  override name = 'OutOfStockError';

  constructor(
    /** The product short of stock. */
    readonly productId: number,
    /** The units the order wants. */
    readonly wanted: number,
  ) {
    super(`Product ${productId} has fewer than ${wanted} units in stock`);
  }
}

/**
 * The body of a `reserve-stock` job (`ReserveStockJob#perform`), safe to run twice and to run
 * beside other orders' reservations. For the order `job.data.orderId`, in one transaction:
 * creates its StockReservation (`orderId`, `productId`, `quantity`) and takes `quantity` units
 * from the product's `stock`, only if that many are left.
 * - `{ reserved: true, reservationId }` when it reserved now;
 * - `{ reserved: false, reason: 'already-reserved' }` when the order has its reservation
 *   already (a rerun, or another delivery at the same moment): stock is taken once per order;
 * - `{ reserved: false, reason: 'order-not-found' }` when there is no such order (cancelled and
 *   deleted): nothing to do, and no retry would change that;
 * - throws {@link OutOfStockError} when fewer than `quantity` units are left, writing nothing: a
 *   retry may find the product restocked. Two orders for the last unit get it for exactly one;
 * - throws an `UnrecoverableError` naming the order when the order has no product (it was
 *   deleted): no retry can reserve it, and somebody has to look.
 */
export async function reserveStock(_job: Pick<Job<OrderJobData>, 'data'>, _db: Database): Promise<ReservationOutcome> {
  throw new Error(
    'TODO(chapter 9): load the order; in one transaction create its StockReservation and take the units with a conditional updateMany; throw OutOfStockError when none is taken',
  );
}

/** What {@link startReservationWorker} needs. */
export interface ReservationWorkerOptions {
  db: Database;
  /** A worker connection (chapter 1: `maxRetriesPerRequest: null`). */
  connection: ConnectionOptions;
  /** BullMQ key prefix; tests pass their own. */
  prefix?: string;
}

/**
 * Starts the Worker of {@link STOCK_QUEUE}: it runs {@link reserveStock} for each job, and on
 * `failed` does what `sidekiq_retries_exhausted` did. When a job has failed for the last time
 * (its attempts used up, or an `UnrecoverableError`), it writes one JobFailure row: queue, job
 * name, job id, data as JSON, the error message and the attempts made. A failed attempt with a
 * retry still to come writes nothing.
 */
export function startReservationWorker(_options: ReservationWorkerOptions): Worker<OrderJobData, ReservationOutcome> {
  throw new Error('TODO(chapter 9): return a Worker of STOCK_QUEUE that runs reserveStock, with a failed listener that writes a JobFailure after the last attempt only');
}
