// Mistake: passes only the cron pattern to BullMQ, so an entry with tz: Europe/London runs at 06:00 in the server's zone (UTC in a container) and ignores daylight saving
import { getNextMillis, type Queue, type RepeatOptions } from 'bullmq';
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
  // First every entry, without touching Redis: BullMQ's own next-run calculation refuses what
  // upsertJobScheduler would refuse.
  const refused: string[] = [];
  for (const entry of entries) {
    try {
      if (getNextMillis(Date.now(), repeatOptions(entry)) === undefined) throw new Error('it never runs');
    } catch (error) {
      refused.push(`"${entry.name}" (${entry.cron ?? `every ${entry.every} ms`}${entry.tz ? `, tz ${entry.tz}` : ''}): ${(error as Error).message}`);
    }
  }
  if (refused.length > 0) {
    throw new Error(`BullMQ refused ${refused.length} schedule entr${refused.length === 1 ? 'y' : 'ies'}, so nothing was changed:\n  ${refused.join('\n  ')}`);
  }

  // Then Redis: upserting is idempotent, so two processes doing this at once end up the same.
  for (const entry of entries) {
    await queue.upsertJobScheduler(entry.name, repeatOptions(entry), { name: entry.job, data: entry.data });
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

/** An entry's "when", in BullMQ's words: a cron `pattern` with its `tz`, or `every` milliseconds. */
function repeatOptions(entry: ScheduleEntry): Omit<RepeatOptions, 'key'> {
  return entry.cron !== undefined ? { pattern: entry.cron } : { every: entry.every };
}
