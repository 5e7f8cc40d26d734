import type { Queue } from 'bullmq';

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
  throw new Error('TODO(chapter 4): list the delayed jobs that have already failed at least once');
}

/** Sidekiq's DeadSet: jobs in the `failed` state, with no retry coming. */
export async function listDeadSet(queue: Queue): Promise<FailedJobSummary[]> {
  throw new Error('TODO(chapter 4): list the failed jobs');
}

/**
 * "Retry now" on one dead job: moves it back to `waiting`.
 *
 * @throws Error naming the job when it does not exist or is not failed
 */
export async function retryDeadJob(queue: Queue, jobId: string): Promise<void> {
  throw new Error('TODO(chapter 4): find the job, check that it is failed, and retry it');
}

/**
 * "Retry all" on the dead set.
 *
 * @returns how many failed jobs this call moved back to `waiting`: the jobs it really moved, not
 * the size of the dead set at some moment before
 */
export async function retryAllDeadJobs(queue: Queue): Promise<number> {
  throw new Error('TODO(chapter 4): move every failed job back to waiting and say how many');
}
