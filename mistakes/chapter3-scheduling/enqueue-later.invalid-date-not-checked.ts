// Mistake: computes the delay without checking the date: 'next tuesday' gives a NaN delay that Redis refuses with an error that names neither the value nor its type
import type { Job, Queue } from 'bullmq';

/** Where "now" comes from. Tests pass a fixed clock; production code uses the default. */
export type Clock = () => Date;

const systemClock: Clock = () => new Date();

/**
 * Adds a job that runs after `waitMs` milliseconds, like `perform_in(wait, ...)` / `set(wait:)`.
 * The job waits in the `delayed` state until then.
 *
 * @throws RangeError naming the value when `waitMs` is not a number of milliseconds, 0 or more.
 */
export async function enqueueIn<Data>(queue: Queue, name: string, data: Data, waitMs: number): Promise<Job<Data>> {
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    throw new RangeError(`enqueueIn: the wait must be a number of milliseconds, 0 or more; got ${waitMs}`);
  }
  return queue.add(name, data, { delay: waitMs });
}

/**
 * Adds a job that runs at `runAt`, like `perform_at(time, ...)` / `set(wait_until:)`. BullMQ
 * only knows delays, so the delay is `runAt - now()`; a time already past runs at once.
 *
 * @param runAt a Date, or an ISO 8601 string such as `2030-01-15T09:00:00Z`
 * @param now the clock; defaults to the system clock
 * @throws RangeError naming the value when `runAt` is not a valid date.
 */
export async function enqueueAt<Data>(
  queue: Queue,
  name: string,
  data: Data,
  runAt: Date | string,
  now: Clock = systemClock,
): Promise<Job<Data>> {
  const when = typeof runAt === 'string' ? new Date(runAt) : runAt;
  return queue.add(name, data, { delay: Math.max(0, when.getTime() - now().getTime()) });
}
