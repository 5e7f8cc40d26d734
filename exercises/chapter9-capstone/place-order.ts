import type { Router } from 'express';
import type { Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import type { JobOptionsByName } from '../../src/jobs/outbox.js';

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
export function createOrderRouter(_dependencies: OrderRouterDependencies): Router {
  throw new Error(
    'TODO(chapter 9): return a Router whose POST /orders validates the body, writes the order and its two outbox rows in one transaction, delivers them after the commit and answers 202 { orderId }',
  );
}
