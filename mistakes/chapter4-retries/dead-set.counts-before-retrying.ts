// Mistake: returns the size of the dead set counted before queue.retryJobs(), which is not the number of jobs the retry moved when the set changes in between or some failures are dated after this clock
import type { Job, Queue } from 'bullmq';

/** One job as Sidekiq's Web UI would list it in the Retries or Dead tab. */
export interface FailedJobSummary {
  id: string;
  name: string;
  data: unknown;
  /** The message of the last error. */
  failedReason: string;
  /** Runs so far, the failed ones included. */
  attemptsMade: number;
}

/**
 * Sidekiq's RetrySet: jobs that failed and wait, in the `delayed` state, for their next attempt.
 * Jobs that were only scheduled for later (never run yet) are delayed too, but are not listed.
 */
export async function listRetrySet(queue: Queue): Promise<FailedJobSummary[]> {
  const delayed = await queue.getDelayed();
  return delayed.filter((job) => job.attemptsMade > 0).map(summarize);
}

/** Sidekiq's DeadSet: jobs in the `failed` state, with no retry coming. */
export async function listDeadSet(queue: Queue): Promise<FailedJobSummary[]> {
  return (await queue.getFailed()).map(summarize);
}

/**
 * "Retry now" on one dead job: moves it back to `waiting`.
 *
 * @throws Error naming the job when it does not exist or is not failed
 */
export async function retryDeadJob(queue: Queue, jobId: string): Promise<void> {
  const job = await queue.getJob(jobId);
  if (!job) throw new Error(`No job ${jobId} in queue ${queue.name}`);
  const state = await job.getState();
  if (state !== 'failed') throw new Error(`Job ${jobId} is ${state}, not failed: only dead jobs can be retried`);
  await job.retry('failed');
}

/**
 * "Retry all" on the dead set.
 *
 * @returns how many failed jobs were moved back to `waiting`
 */
export async function retryAllDeadJobs(queue: Queue): Promise<number> {
  const count = await queue.getFailedCount();
  await queue.retryJobs({ state: 'failed' });
  return count;
}

function summarize(job: Job): FailedJobSummary {
  return {
    id: String(job.id),
    name: job.name,
    data: job.data,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
  };
}
