/**
 * Enqueueing many jobs fast: BullMQ's answer to `Sidekiq::Client.push_bulk`.
 *
 * Every BullMQ job is added by a Lua script that runs inside Redis (id, hash, list, event stream):
 * tens of microseconds of Redis time per job, where Sidekiq's `push_bulk` is one LPUSH for a
 * thousand jobs. `queue.addBulk` already sends its scripts in one pipeline; what is left to win is
 * the waiting. Awaiting one `addBulk` before sending the next leaves Redis idle while Node builds
 * the next thousand jobs, and Node idle while Redis runs the scripts. Keeping a few calls in
 * flight overlaps the two, and measured on two cores (`npm run bench -- queues`) is the fastest
 * way found to add many separate jobs.
 *
 * @module Jobs/Bulk enqueue
 */
import type { Job, Queue } from 'bullmq';

/** Any queue, whatever its job types: they come back out through `addBulk`'s own signature. */
export type AnyQueue = Queue<any, any, any>;

/** The jobs `queue.addBulk` takes: `{ name, data, opts? }` each. */
export type BulkJobs<Q extends AnyQueue> = Parameters<Q['addBulk']>[0];

/** The jobs `queue.addBulk` resolves to. */
export type AddedJobs<Q extends AnyQueue> = Awaited<ReturnType<Q['addBulk']>>;

/** How {@link enqueueMany} splits the work. */
export interface EnqueueManyOptions {
  /** Jobs per `addBulk` call (one Redis pipeline). Default 1,000, the size Sidekiq 7 pushes at a time. */
  chunkSize?: number;
  /** `addBulk` calls in flight at once. Default 8. */
  inFlight?: number;
}

/** Thrown by {@link enqueueMany} when some chunks could not be added; the others were. */
export class EnqueueManyError extends Error {
  override name = 'EnqueueManyError';

  constructor(
    message: string,
    /** The jobs that were added (their chunks succeeded), in input order. */
    readonly added: Job[],
    /** Input indexes of the jobs that were not added. */
    readonly notAdded: number[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Adds `jobs` to `queue` with `addBulk`, `chunkSize` jobs per call and up to `inFlight` calls at
 * once, and resolves to the added jobs in input order.
 *
 * Each chunk is one pipeline, not a transaction, and chunks are independent: when one fails the
 * others are still added, and the promise rejects with an {@link EnqueueManyError} that lists what
 * was and was not added, so nothing is lost silently.
 *
 * @throws TypeError for a `jobs` that is not an array, or a chunk size or in-flight count that is
 * not a positive whole number.
 */
export async function enqueueMany<Q extends AnyQueue>(
  queue: Q,
  jobs: BulkJobs<Q>,
  { chunkSize = 1000, inFlight = 8 }: EnqueueManyOptions = {},
): Promise<AddedJobs<Q>> {
  if (!Array.isArray(jobs)) throw new TypeError(`enqueueMany: jobs must be an array, got ${typeof jobs}`);
  for (const [label, value] of [['chunkSize', chunkSize], ['inFlight', inFlight]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`enqueueMany: ${label} must be a positive whole number, got ${value}`);
  }
  const chunks: BulkJobs<Q>[] = [];
  for (let start = 0; start < jobs.length; start += chunkSize) chunks.push(jobs.slice(start, start + chunkSize));

  // Filled, not sparse: flatMap below must visit the chunks that failed too.
  const added: (AddedJobs<Q> | undefined)[] = chunks.map(() => undefined);
  const errors: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const index = next++;
      try {
        added[index] = (await queue.addBulk(chunks[index]!)) as AddedJobs<Q>;
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, chunks.length) }, lane));

  if (errors.length > 0) {
    const notAdded = added.flatMap((chunk, index) =>
      chunk ? [] : Array.from({ length: chunks[index]!.length }, (_, offset) => index * chunkSize + offset),
    );
    const first = errors[0] instanceof Error ? errors[0].message : String(errors[0]);
    throw new EnqueueManyError(
      `enqueueMany: ${notAdded.length} of ${jobs.length} jobs were not added (${errors.length} of ${chunks.length} chunks failed; first error: ${first})`,
      added.flatMap((chunk) => chunk ?? []),
      notAdded,
      { cause: errors[0] },
    );
  }
  return added.flatMap((chunk) => chunk!) as AddedJobs<Q>;
}
