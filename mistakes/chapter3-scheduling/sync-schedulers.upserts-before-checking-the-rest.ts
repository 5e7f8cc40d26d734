// Mistake: upserts each entry as it goes and only then throws for a refused one, so the good entries before a typo are already applied when the deploy is refused
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
  const refused: string[] = [];
  for (const entry of entries) {
    try {
      await queue.upsertJobScheduler(
        entry.name,
        entry.cron !== undefined ? { pattern: entry.cron, tz: entry.tz } : { every: entry.every },
        { name: entry.job, data: entry.data },
      );
    } catch (error) {
      refused.push(`"${entry.name}" (${entry.cron ?? `every ${entry.every} ms`}${entry.tz ? `, tz ${entry.tz}` : ''}): ${(error as Error).message}`);
    }
  }
  if (refused.length > 0) {
    throw new Error(`BullMQ refused ${refused.length} schedule entr${refused.length === 1 ? 'y' : 'ies'}:\n  ${refused.join('\n  ')}`);
  }

  const wanted = new Set(entries.map((entry) => entry.name));
  const removed: string[] = [];
  for (const scheduler of await queue.getJobSchedulers()) {
    if (wanted.has(scheduler.key)) continue;
    await queue.removeJobScheduler(scheduler.key);
    removed.push(scheduler.key);
  }
  return { upserted: entries.map((entry) => entry.name), removed };
}
