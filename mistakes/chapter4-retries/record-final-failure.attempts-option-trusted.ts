// Mistake: compares attemptsMade with job.opts.attempts as it is, so a job added without attempts (0 in opts) is never seen failing for good
import { UnrecoverableError, type Job } from 'bullmq';
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
  if (!isFinalFailure(job, error)) return null;
  return db.jobFailure.create({
    data: {
      queue: job.queueName,
      jobName: job.name,
      jobId: String(job.id),
      data: JSON.stringify(job.data),
      error: error.message,
      attemptsMade: job.attemptsMade,
    },
  });
}

/**
 * By the time `failed` fires, BullMQ has counted this attempt in `attemptsMade`. A job added
 * without `attempts` carries `attempts: 0`, which BullMQ runs once, like 1. The name check catches
 * an UnrecoverableError thrown by code that loaded another copy of bullmq.
 */
function isFinalFailure(job: Job, error: Error): boolean {
  if (error instanceof UnrecoverableError || error.name === 'UnrecoverableError') return true;
  return job.attemptsMade === job.opts.attempts;
}
