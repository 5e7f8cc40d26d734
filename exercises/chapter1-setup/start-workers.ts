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
  throw new Error('TODO(chapter 1): create one Worker per queue name, passing connection, prefix and concurrency');
}
