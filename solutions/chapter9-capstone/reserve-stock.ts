import { UnrecoverableError, Worker, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import { Prisma } from '../../src/generated/sqlite/client.js';
import { STOCK_QUEUE, type OrderJobData } from './place-order.js';

/**
 * The options `reserve-stock` jobs are added with: `sidekiq_options retry: 5`, so five retries
 * after the first run, with a backoff that leaves the warehouse time to restock.
 */
export const RESERVE_STOCK_JOB_OPTIONS = {
  // BullMQ counts every run, the first one included: five retries are six attempts.
  attempts: 6,
  backoff: { type: 'exponential', delay: 15_000 },
} satisfies JobsOptions;

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
export async function reserveStock(job: Pick<Job<OrderJobData>, 'data'>, db: Database): Promise<ReservationOutcome> {
  const { orderId } = job.data;
  const order = await db.order.findUnique({ where: { id: orderId }, select: { productId: true, quantity: true } });
  if (!order) return { reserved: false, reason: 'order-not-found' };
  const { productId, quantity } = order;
  if (productId === null) throw new UnrecoverableError(`Order ${orderId} has no product any more; its stock cannot be reserved`);

  try {
    const reservation = await db.$transaction(async (tx) => {
      // The unique orderId is the claim: a second run for this order stops here.
      const reservation = await tx.stockReservation.create({ data: { orderId, productId, quantity } });
      // Check and take in one UPDATE, so two orders for the last unit cannot both see it left.
      const { count } = await tx.product.updateMany({
        where: { id: productId, stock: { gte: quantity } },
        data: { stock: { decrement: quantity } },
      });
      if (count === 0) throw new OutOfStockError(productId, quantity); // rolls the reservation back
      return reservation;
    });
    return { reserved: true, reservationId: reservation.id };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return { reserved: false, reason: 'already-reserved' };
    throw error;
  }
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
export function startReservationWorker({ db, connection, prefix }: ReservationWorkerOptions): Worker<OrderJobData, ReservationOutcome> {
  const worker = new Worker<OrderJobData, ReservationOutcome>(STOCK_QUEUE, (job) => reserveStock(job, db), { connection, prefix });
  worker.on('failed', (job, error) => {
    if (!job) return;
    // `failed` fires after every failed attempt; attemptsMade already counts this one.
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts || 1);
    if (!final) return;
    db.jobFailure
      .create({
        data: { queue: job.queueName, jobName: job.name, jobId: String(job.id), data: JSON.stringify(job.data), error: error.message, attemptsMade: job.attemptsMade },
      })
      // A listener is not awaited: its errors are ours to catch.
      .catch((cause: unknown) => console.error(`could not record the failure of job ${job.id}`, cause));
  });
  return worker;
}
