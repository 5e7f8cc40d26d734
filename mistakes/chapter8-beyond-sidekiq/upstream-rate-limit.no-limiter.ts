// Mistake: starts the Worker without a limiter: the published limit is not kept, and BullMQ never reads the hold that queue.rateLimit() sets
import { RateLimitError, Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';

/** Data of a `sync-account` job. */
export interface SyncAccountData {
  accountId: number;
}

/** How {@link retryAfterMs} reads a `Retry-After` header. */
export interface RetryAfterOptions {
  /** Used when the header is missing or unreadable, in milliseconds. */
  defaultMs: number;
  /** Milliseconds per second of `Retry-After: <seconds>`: 1000 in production, less in tests. */
  msPerSecond?: number;
  /** The clock an HTTP-date is measured from. */
  now?: () => number;
}

/**
 * How long a 429's `Retry-After` asks us to wait, in milliseconds: a whole number of seconds
 * (times `msPerSecond`), or an HTTP-date (its distance from `now()`, 0 when it has passed);
 * `defaultMs` when the header is missing or neither.
 */
export function retryAfterMs(header: string | null, { defaultMs, msPerSecond = 1000, now = Date.now }: RetryAfterOptions): number {
  const value = header?.trim();
  if (!value) return defaultMs;
  if (/^\d+$/.test(value)) return Number(value) * msPerSecond;
  const date = Date.parse(value);
  return Number.isNaN(date) ? defaultMs : Math.max(0, date - now());
}

/** What {@link syncAccountProcessor} needs. */
export interface SyncAccountOptions extends RetryAfterOptions {
  /** The queue the processor's Worker reads: a 429 holds every worker of it. */
  queue: Queue;
  /** The upstream API, e.g. `http://127.0.0.1:4000`: the job GETs `<baseUrl>/accounts/<accountId>`. */
  baseUrl: string;
}

/**
 * The processor of `sync-account` jobs: GETs the account from the upstream API and returns its
 * JSON. On a 429 it rate-limits the whole queue for as long as `Retry-After` says, and gives the
 * job back to the queue without using up an attempt (Sidekiq Enterprise's limiter raising
 * `OverLimit`). Any other answer that is not 2xx fails the attempt with an Error naming the status.
 */
export function syncAccountProcessor(options: SyncAccountOptions): (job: Job<SyncAccountData>) => Promise<unknown> {
  return async (job) => {
    const response = await fetch(`${options.baseUrl}/accounts/${job.data.accountId}`);
    if (response.status === 429) {
      await response.body?.cancel();
      await options.queue.rateLimit(retryAfterMs(response.headers.get('retry-after'), options));
      throw new RateLimitError();
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`upstream answered ${response.status} for account ${job.data.accountId}`);
    }
    return response.json();
  };
}

/** What {@link startSyncAccountWorker} needs besides the queue. */
export interface SyncAccountWorkerOptions extends Omit<SyncAccountOptions, 'queue'> {
  /** The upstream's published limit: at most `max` requests per `duration` milliseconds, across all workers. */
  limit: { max: number; duration: number };
  /** The Redis connection, as for any Worker. */
  connection: ConnectionOptions;
  /** The key prefix, as for any Worker. */
  prefix?: string;
}

/**
 * A Worker that runs {@link syncAccountProcessor} on `queue`'s jobs within the upstream's
 * published `limit` (Sidekiq Enterprise's window limiter), and obeys the processor's 429 holds.
 */
export function startSyncAccountWorker(queue: Queue, { limit, connection, prefix, ...options }: SyncAccountWorkerOptions): Worker<SyncAccountData> {
  // The limiter also switches on the check that makes queue.rateLimit() hold this Worker:
  // BullMQ only reads the rate-limit key of a queue whose workers have a limiter.
  return new Worker<SyncAccountData>(queue.name, syncAccountProcessor({ ...options, queue }), {
    connection,
    prefix,
  });
}
