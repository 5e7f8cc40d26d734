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
  throw new Error(
    'TODO(chapter 4): charge the order once, even when two runs overlap (a conditional update), ' +
      'and throw an UnrecoverableError when it does not exist',
  );
}
