import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';

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
  return new Worker(
    queueName,
    async (job) => {
      // Object.hasOwn: a job named "toString" must not find Object.prototype.toString.
      if (!Object.hasOwn(processors, job.name)) {
        // Retrying cannot make a processor appear: fail now instead of using up the attempts.
        throw new UnrecoverableError(`No processor for job "${job.name}" on queue "${queueName}"`);
      }
      return processors[job.name]!(job);
    },
    options,
  );
}
