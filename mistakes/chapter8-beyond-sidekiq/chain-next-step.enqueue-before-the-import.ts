// Mistake: enqueues the next step before running the import, with what is known then: it runs before the work is done, and even when the import fails
import type { Job, Queue } from 'bullmq';

/** Data of an `import-contacts` job. */
export interface ImportContactsData {
  importId: number;
}

/** Data of the `index-contacts` job that follows it. */
export interface IndexContactsData {
  importId: number;
  /** How many contacts the import brought in. */
  imported: number;
}

/**
 * The processor of `import-contacts` jobs, chained the Sidekiq way: it runs `importContacts`
 * (which resolves to the number of contacts imported), then enqueues `index-contacts` on `next`
 * with `{ importId, imported }`, and finally runs `afterEnqueue` (bookkeeping that can fail).
 *
 * The next step is enqueued exactly once per import job, however many times the job runs: an
 * attempt that fails after the enqueue and is retried must not add a second `index-contacts`.
 * Returns the id of the `index-contacts` job.
 */
export function importThenIndex(
  next: Queue<IndexContactsData>,
  importContacts: (job: Job<ImportContactsData>) => Promise<number>,
  afterEnqueue: (job: Job<ImportContactsData>) => Promise<void> = async () => {},
): (job: Job<ImportContactsData>) => Promise<string> {
  return async (job) => {
    // A job id derived from this job: a retry's add finds the job the first attempt added.
    const indexJob = await next.add('index-contacts', { importId: job.data.importId, imported: 0 }, { jobId: `index-contacts-${job.id}` });
    const imported = await importContacts(job);
    await indexJob.updateData({ importId: job.data.importId, imported });
    await afterEnqueue(job);
    return indexJob.id!;
  };
}
