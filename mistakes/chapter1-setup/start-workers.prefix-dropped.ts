// Mistake: passes the connection and concurrency but not the key prefix, so the workers watch queues nobody adds to
import { Worker, type ConnectionOptions, type Processor } from 'bullmq';

/** What `config/sidekiq.yml` says, as a typed object. */
export interface WorkerSettings {
  /** Redis connection options for the workers. */
  connection: ConnectionOptions;
  /** Key prefix (tests use their own). */
  prefix?: string;
  /** Jobs each queue's worker runs at the same time (Sidekiq's `:concurrency:`). */
  concurrency: number;
  /** Queue names (Sidekiq's `:queues:`). */
  queues: string[];
}

/**
 * Starts one Worker per queue in `settings.queues`, each running `processor` with the
 * configured concurrency, and returns them (the caller closes them).
 */
export function startWorkers(settings: WorkerSettings, processor: Processor): Worker[] {
  const { connection, concurrency } = settings;
  // BullMQ's default concurrency is 1, not Sidekiq's 5: it must be passed explicitly.
  return settings.queues.map((queue) => new Worker(queue, processor, { connection, concurrency }));
}
