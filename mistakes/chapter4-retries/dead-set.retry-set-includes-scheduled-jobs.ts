// Mistake: lists every delayed job as the retry set, so a job merely scheduled for later shows up as a failed one waiting for a retry
import { ErrorCode, type Job, type Queue } from 'bullmq';

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
  return delayed.map(summarize);
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
 * @returns how many failed jobs this call moved back to `waiting`: the jobs it really moved, not
 * the size of the dead set at some moment before
 */
export async function retryAllDeadJobs(queue: Queue): Promise<number> {
  // Count what moved, not what was there: between a count and a bulk retry the dead set changes
  // (another dashboard retries a job, a worker fails one), and queue.retryJobs() only takes jobs
  // whose failure time is before this machine's clock. So retry the jobs listed, one by one.
  let moved = 0;
  for (const job of await queue.getFailed()) {
    try {
      await job.retry('failed');
      moved++;
    } catch (error) {
      // Retried or removed by someone else since it was listed: not ours to count. Anything
      // else (Redis gone) is an error the caller must see.
      const code = (error as { code?: number }).code;
      if (code !== ErrorCode.JobNotExist && code !== ErrorCode.JobNotInState) throw error;
    }
  }
  return moved;
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
