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
  throw new Error('TODO(chapter 7): return a processor that logs start, finish or failure with the job fields and the duration');
}
