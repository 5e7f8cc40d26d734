import { Worker, type ConnectionOptions, type Job } from 'bullmq';

/** A processor per job name, like one `perform` per Sidekiq job class. */
export type ProcessorsByName = Record<string, (job: Job) => Promise<unknown>>;

/**
 * Starts ONE Worker for `queueName` that runs each job with the processor registered for its
 * `job.name`. A job whose name has no processor fails at once, whatever `attempts` it has
 * left (it can never succeed later), with an `UnrecoverableError` whose message is
 * `No processor for job "<name>" on queue "<queueName>"`; the worker keeps going.
 */
export function startQueueWorker(
  queueName: string,
  processors: ProcessorsByName,
  options: { connection: ConnectionOptions; prefix?: string },
): Worker {
  throw new Error('TODO(chapter 2): new Worker(queueName, async (job) => …pick processors[job.name]…, options); an unknown name throws an UnrecoverableError');
}
