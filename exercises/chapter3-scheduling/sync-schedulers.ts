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
 * @throws Error naming each entry BullMQ refuses (a bad cron pattern or time zone). The whole
 * schedule is checked before Redis is changed, so a schedule with a refused entry changes
 * nothing: no scheduler is added, updated or removed, and a typo in a deploy does not wipe the
 * schedule or leave half of it applied.
 */
export async function syncJobSchedulers(queue: Queue, entries: ScheduleEntry[]): Promise<SyncResult> {
  throw new Error(
    'TODO(chapter 3): check every entry first, then upsert one job scheduler per entry (id = entry.name), then remove the schedulers that are not in entries',
  );
}
