import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import { Prisma } from '../../src/generated/sqlite/client.js';
import { deliverOutboxJob, type JobOptionsByName } from '../../src/jobs/outbox.js';

/** The queue `confirm-order` jobs go to (Sidekiq's `default`). */
export const ORDERS_QUEUE = 'orders';
/** The queue `reserve-stock` jobs go to (`sidekiq_options queue: "stock"`). */
export const STOCK_QUEUE = 'stock';
/** `OrderConfirmationJob`. */
export const CONFIRM_ORDER_JOB = 'confirm-order';
/** `ReserveStockJob`. */
export const RESERVE_STOCK_JOB = 'reserve-stock';

/** The data of both jobs: the order's id, never the order itself. */
export interface OrderJobData {
  orderId: number;
}

/** What {@link createOrderRouter} needs; passed in so tests can give their own. */
export interface OrderRouterDependencies {
  db: Database;
  /** Producer queues (chapter 1: they refuse at once while Redis is away), by role. */
  queues: { orders: Queue<OrderJobData>; stock: Queue<OrderJobData> };
  /** The options each job is added with, by job name, the same map the outbox sweeper gets. */
  jobOptions?: JobOptionsByName;
  /** How long the request waits for Redis to take a job before leaving it to the sweeper (default 2 s). */
  enqueueTimeoutMs?: number;
}

/** PostgreSQL's `integer`, which Prisma's `Int` maps to: ids and cents above it cannot be stored. */
const LARGEST_INT = 2_147_483_647;

/**
 * `POST /orders` with a JSON body `{ "productId": 3, "quantity": 2 }`, the port of
 * `OrdersController#create` and `Order after_create_commit`:
 * - writes the Order (a unique generated `reference`, `productId`, `quantity`,
 *   `totalCents` = the product's `priceCents` × `quantity`) and, in the same transaction, one
 *   outbox row per job: `confirm-order` for {@link ORDERS_QUEUE} and `reserve-stock` for
 *   {@link STOCK_QUEUE}, each with data `{ orderId }` and a job id of its own derived from the
 *   order id, so that delivering a row twice adds one job;
 * - after the commit, delivers the rows (`deliverOutboxJob` from `src/jobs/outbox.ts`, with
 *   `jobOptions[name]`) and answers 202 Accepted with `{ "orderId": 1 }`;
 * - when Redis refuses a job or does not take it within `enqueueTimeoutMs`, still answers 202: the
 *   order is kept and so is its outbox row, which `sweepOutbox` delivers once Redis is back;
 * - 400 with `{ "error": "…" }` when `productId` is not a whole number from 1 to 2147483647,
 *   `quantity` is not a whole number of 1 or more, or the total would exceed 2147483647 cents;
 *   404 (same body) when there is no such product. Nothing is written or enqueued then.
 *
 * The app mounts it with `app.use(express.json(), createOrderRouter({ db, queues }))`.
 */
export function createOrderRouter({ db, queues, jobOptions = {}, enqueueTimeoutMs = 2000 }: OrderRouterDependencies): Router {
  const router = Router();
  const queueNamed: Record<string, Queue<OrderJobData>> = { [ORDERS_QUEUE]: queues.orders, [STOCK_QUEUE]: queues.stock };

  router.post('/orders', async (req, res) => {
    const { productId, quantity } = (req.body ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(productId) || (productId as number) < 1 || (productId as number) > LARGEST_INT) {
      res.status(400).json({ error: `productId must be a whole number from 1 to ${LARGEST_INT}` });
      return;
    }
    if (!Number.isInteger(quantity) || (quantity as number) < 1) {
      res.status(400).json({ error: 'quantity must be a whole number of 1 or more' });
      return;
    }
    const id = productId as number;
    const count = quantity as number;
    const product = await db.product.findUnique({ where: { id }, select: { priceCents: true } });
    if (!product) {
      res.status(404).json({ error: `product ${id} not found` });
      return;
    }
    const totalCents = product.priceCents * count;
    if (totalCents > LARGEST_INT) {
      res.status(400).json({ error: `${count} × ${product.priceCents} cents is more than one order can hold (${LARGEST_INT} cents)` });
      return;
    }

    let written;
    try {
      // The order and the jobs that must follow it commit together or not at all: no crash and no
      // Redis outage after this point can leave an order without its jobs.
      written = await db.$transaction(async (tx) => {
        const order = await tx.order.create({ data: { reference: `ORD-${randomUUID()}`, productId: id, quantity: count, totalCents } });
        const data = JSON.stringify({ orderId: order.id } satisfies OrderJobData);
        const rows = [
          await tx.outboxJob.create({ data: { queue: ORDERS_QUEUE, name: CONFIRM_ORDER_JOB, jobId: `${CONFIRM_ORDER_JOB}-${order.id}`, data } }),
          await tx.outboxJob.create({ data: { queue: STOCK_QUEUE, name: RESERVE_STOCK_JOB, jobId: `${RESERVE_STOCK_JOB}-${order.id}`, data } }),
        ];
        return { order, rows };
      });
    } catch (error) {
      // P2003: the product was deleted between the look-up and the insert.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') {
        res.status(404).json({ error: `product ${id} not found` });
        return;
      }
      throw error;
    }

    // After the commit, never inside the transaction: a worker that takes a job at once must find
    // the order. Side by side, so a hanging Redis costs one timeout, not two.
    const deliveries = written.rows.map((row) => deliverOutboxJob(db, queueNamed[row.queue]!, row, jobOptions[row.name], enqueueTimeoutMs));
    // A row not delivered stays in the outbox for the sweeper: the order is accepted all the same.
    await Promise.allSettled(deliveries);
    res.status(202).json({ orderId: written.order.id });
  });
  return router;
}
