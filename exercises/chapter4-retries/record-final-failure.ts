import type { Job } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import type { JobFailure } from '../../src/generated/sqlite/client.js';

/**
 * The counterpart of `sidekiq_retries_exhausted`: call it from a Worker's `failed` event, which
 * BullMQ emits after EVERY failed attempt. Only when this failure is the last one (no retry is
 * coming) does it write a `JobFailure` row: queue, job name, job id, data as JSON, the error
 * message and the attempts made.
 *
 * @returns the row written, or `null` when BullMQ will retry the job
 */
export async function recordFailureIfFinal(db: Database, job: Job, error: Error): Promise<JobFailure | null> {
  throw new Error('TODO(chapter 4): decide whether this failure is the last one (attempts used up, or an UnrecoverableError), and if so create a JobFailure row');
}
