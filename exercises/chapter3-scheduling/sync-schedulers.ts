import type { Queue } from 'bullmq';
import type { ScheduleEntry } from '../../src/scheduling/schedule-file.js';

/** What {@link syncJobSchedulers} changed, by scheduler id. */
export interface SyncResult {
  /** Every entry of the schedule: created, updated or already as written. */
  upserted: string[];
  /** Schedulers that were on the queue but are no longer in the schedule. */
  removed: string[];
}

/**
 * Makes the queue's job schedulers match `entries` exactly, like sidekiq-cron's
 * `Sidekiq::Cron::Job.load_from_hash!`: one scheduler per entry, id = entry name, and no other.
 * Safe to run on every start and from several processes at once.
 *
 * @throws Error naming each entry BullMQ refused (a bad cron pattern or time zone). Then no
 * scheduler is removed, so a typo in a deploy does not wipe the schedule.
 */
export async function syncJobSchedulers(queue: Queue, entries: ScheduleEntry[]): Promise<SyncResult> {
  throw new Error(
    'TODO(chapter 3): upsert one job scheduler per entry (id = entry.name), then remove the schedulers that are not in entries',
  );
}
