/**
 * The transactional outbox: how a request writes a row *and* enqueues its job without ever
 * keeping one and losing the other.
 *
 * The dual-write problem: a database commit and a Redis `add` are two writes to two systems, and
 * no transaction spans both. Rails' `after_create_commit :enqueue` runs the enqueue after the
 * commit: if Redis is down, or the process dies between the two, the row is kept and its job is
 * lost. Enqueuing before the commit is worse: the job can run before the row is visible, or for a
 * row that is then rolled back.
 *
 * The outbox closes the gap: the job to add is written as an {@link OutboxJob} row in the *same*
 * transaction as the task. After the commit, the request adds the job and deletes the row. If
 * that step does not happen, the row is still there, and {@link sweepOutbox} adds the job later.
 * Each row carries a fixed BullMQ job id, so delivering it twice adds one job.
 *
 * @module Jobs/Outbox
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { Database } from '../db/client.js';

/** A job waiting in the outbox, as stored. */
export interface OutboxJob {
  id: number;
  queue: string;
  name: string;
  jobId: string;
  /** The job's data, as JSON text. */
  data: string;
  createdAt: Date;
}

/** Raised by {@link deliverOutboxJob} when Redis did not take the job in time. */
export class EnqueueTimeoutError extends Error {
  /** The job id that was not confirmed. */
  constructor(readonly jobId: string, timeoutMs: number) {
    super(`Redis did not confirm job ${jobId} within ${timeoutMs} ms`);
    this.name = 'EnqueueTimeoutError';
  }
}

/** The options each queue's jobs are added with, by job name (attempts, backoff, retention). */
export type JobOptionsByName = Record<string, JobsOptions>;

/**
 * Adds `row`'s job to `queue` and deletes the row. Gives up after `timeoutMs` (a stalled Redis
 * can hold a command for minutes), leaving the row for the sweeper.
 *
 * @throws the Redis error, or {@link EnqueueTimeoutError}; the row is then still in the outbox.
 */
export async function deliverOutboxJob(db: Database, queue: Queue, row: OutboxJob, options: JobsOptions = {}, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EnqueueTimeoutError(row.jobId, timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([queue.add(row.name, JSON.parse(row.data), { ...options, jobId: row.jobId }), timeout]);
  } finally {
    clearTimeout(timer);
  }
  await db.outboxJob.deleteMany({ where: { id: row.id } });
}

/** Options of {@link sweepOutbox}. */
export interface SweepOptions {
  /** Rows younger than this are left to the request that wrote them (default 5 s). */
  minAgeMs?: number;
  /** At most this many rows per sweep (default 100). */
  limit?: number;
  /** Each add's time limit (default 2 s). */
  timeoutMs?: number;
  /** The clock; tests pass their own. */
  now?: () => Date;
}

/**
 * Delivers the outbox's leftovers, oldest first: rows whose request did not add the job (Redis
 * was down, or the process died after the commit). Stops at the first failure, since Redis is
 * then still away, and leaves the rest for the next sweep.
 *
 * @param queues the queues rows may name, by name
 * @returns how many jobs were delivered
 */
export async function sweepOutbox(
  db: Database,
  queues: Record<string, Queue>,
  optionsByName: JobOptionsByName = {},
  { minAgeMs = 5000, limit = 100, timeoutMs = 2000, now = () => new Date() }: SweepOptions = {},
): Promise<number> {
  const rows = await db.outboxJob.findMany({
    where: { createdAt: { lte: new Date(now().getTime() - minAgeMs) }, queue: { in: Object.keys(queues) } },
    orderBy: { id: 'asc' },
    take: limit,
  });
  let delivered = 0;
  for (const row of rows) {
    await deliverOutboxJob(db, queues[row.queue]!, row, optionsByName[row.name], timeoutMs);
    delivered++;
  }
  return delivered;
}
