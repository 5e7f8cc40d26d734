// Mistake: uses update (not updateMany) with the status in its where: the second run gets Prisma's 'record not found' error instead of answering already-charged
import { UnrecoverableError } from 'bullmq';
import type { Database } from '../../src/db/client.js';

/** What {@link chargeOrder} did: charged it now, or found it charged already. */
export type ChargeOutcome = 'charged' | 'already-charged';

/**
 * The body of a `charge-order` job, safe to run twice: after a crash, a retry runs it again, and
 * two workers can receive the same order at once. Whatever the overlap, a pending Order is
 * charged exactly once: `status` becomes `'charged'`, `chargeCount` goes up by one and
 * `chargedAt` is set to `now()`; every other run answers `'already-charged'` and changes nothing.
 *
 * Like `discard_job` after `RecordNotFound`, an order that does not exist throws an
 * {@link UnrecoverableError} naming its id: retrying cannot make it appear.
 */
export async function chargeOrder(db: Database, orderId: number, now: () => Date = () => new Date()): Promise<ChargeOutcome> {
  // Check and change in one UPDATE: the database lets only one run see `status = 'pending'`.
  // A findUnique followed by an update would let two overlapping runs both see it pending.
  const order = await db.order.findUnique({ where: { id: orderId }, select: { id: true } });
  if (!order) throw new UnrecoverableError(`Order ${orderId} does not exist; not retrying`);
  await db.order.update({
    where: { id: orderId, status: 'pending' },
    data: { status: 'charged', chargeCount: { increment: 1 }, chargedAt: now() },
  });
  return 'charged';
}
