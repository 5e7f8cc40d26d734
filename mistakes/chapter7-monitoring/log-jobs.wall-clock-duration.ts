// Mistake: times the job with Date.now() instead of the clock it was given, so durations cannot be tested and jump with NTP corrections
import type { Processor } from 'bullmq';
import type { Logger } from 'pino';

/**
 * `around_perform` logging: wraps `processor` so that each run of a job writes, through the
 * pino `logger`:
 * - `info` "job started" with the fields `queue`, `job` (the job's name), `jobId` and `attempt`
 *   (1 on the first run, 2 on the first retry…);
 * - then `info` "job finished" with the same fields plus `durationMs`,
 * - or, when the processor throws, `error` "job failed" with the same fields, `durationMs` and
 *   `err` (the error), and the error thrown again so BullMQ can retry.
 *
 * The processor's result is returned unchanged. `now` gives milliseconds (tests pass a fake clock).
 */
export function logJobs<T, R>(processor: Processor<T, R>, logger: Logger, now: () => number = () => performance.now()): Processor<T, R> {
  return async (job, token, signal) => {
    // A child logger stamps the job's fields on every line it writes.
    const log = logger.child({ queue: job.queueName, job: job.name, jobId: job.id, attempt: job.attemptsMade + 1 });
    const started = Date.now();
    log.info('job started');
    try {
      const result = await processor(job, token, signal);
      log.info({ durationMs: Date.now() - started }, 'job finished');
      return result;
    } catch (err) {
      log.error({ durationMs: Date.now() - started, err }, 'job failed');
      throw err;
    }
  };
}
