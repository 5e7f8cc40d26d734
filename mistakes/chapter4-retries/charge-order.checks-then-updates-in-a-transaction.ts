// Mistake: reads the order and updates it inside a Prisma $transaction, trusting the transaction to stop a second run: at PostgreSQL's default isolation both runs read 'pending' and both charge
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
  return db.$transaction(async (tx) => {
    const order = await tx.order.findUnique({ where: { id: orderId } });
    if (!order) throw new UnrecoverableError(`Order ${orderId} does not exist; not retrying`);
    if (order.status !== 'pending') return 'already-charged' as const;
    await tx.order.update({
      where: { id: orderId },
      data: { status: 'charged', chargeCount: { increment: 1 }, chargedAt: now() },
    });
    return 'charged' as const;
  });
}
