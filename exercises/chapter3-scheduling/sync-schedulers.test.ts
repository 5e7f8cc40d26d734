import { Queue, Worker, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import type { ScheduleEntry } from '../../src/scheduling/schedule-file.js';
import { syncJobSchedulers } from './sync-schedulers.js';

const env = useTestEnv();

const dailyReport: ScheduleEntry = { name: 'daily-report', cron: '0 6 * * *', tz: 'Europe/London', job: 'daily-report', data: {} };
const reindex: ScheduleEntry = { name: 'reindex-products', cron: '0 2 * * 0', job: 'index-products', data: { batchSize: 100 } };

function maintenance(): Queue {
  return env.track(new Queue('maintenance', { connection: env.connection, prefix: env.prefix }));
}

async function schedulersOf(queue: Queue) {
  const schedulers = await queue.getJobSchedulers();
  return schedulers
    .map((s) => ({ id: s.key, pattern: s.pattern, every: s.every, tz: s.tz, job: s.name, data: s.template?.data ?? {} }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

describe('syncJobSchedulers (sidekiq-cron load_from_hash!)', () => {
  it('creates one scheduler per entry, with its pattern, time zone, job name and data', async () => {
    const queue = maintenance();
    await syncJobSchedulers(queue, [dailyReport, reindex]);
    expect(await schedulersOf(queue)).toEqual([
      { id: 'daily-report', pattern: '0 6 * * *', every: undefined, tz: 'Europe/London', job: 'daily-report', data: {} },
      { id: 'reindex-products', pattern: '0 2 * * 0', every: undefined, tz: undefined, job: 'index-products', data: { batchSize: 100 } },
    ]);
  });

  it('leaves exactly one scheduler and one upcoming job per entry when loaded again, or by two processes at once', async () => {
    const queue = maintenance();
    await syncJobSchedulers(queue, [dailyReport, reindex]);
    await syncJobSchedulers(queue, [dailyReport, reindex]);
    const secondProcess = maintenance();
    await Promise.all([syncJobSchedulers(queue, [dailyReport, reindex]), syncJobSchedulers(secondProcess, [dailyReport, reindex])]);

    expect(await queue.getJobSchedulersCount()).toBe(2);
    const upcoming = await queue.getJobs(['delayed', 'waiting']);
    expect(upcoming.map((job) => job.name).sort()).toEqual(['daily-report', 'index-products']);
  });

  it('applies an edited entry to its scheduler', async () => {
    const queue = maintenance();
    await syncJobSchedulers(queue, [dailyReport]);
    await syncJobSchedulers(queue, [{ ...dailyReport, cron: '30 7 * * *', data: { format: 'pdf' } }]);
    expect(await schedulersOf(queue)).toMatchObject([{ id: 'daily-report', pattern: '30 7 * * *', data: { format: 'pdf' } }]);
  });

  it('removes the scheduler, and its upcoming job, of an entry deleted from the file', async () => {
    const queue = maintenance();
    await syncJobSchedulers(queue, [dailyReport, reindex]);
    const result = await syncJobSchedulers(queue, [dailyReport]);

    expect(result.removed).toEqual(['reindex-products']);
    expect((await schedulersOf(queue)).map((s) => s.id)).toEqual(['daily-report']);
    const upcoming = await queue.getJobs(['delayed', 'waiting']);
    expect(upcoming.map((job) => job.name)).toEqual(['daily-report']);
  });

  it('reports a malformed cron pattern with the entry name, and removes nothing', async () => {
    const queue = maintenance();
    await syncJobSchedulers(queue, [dailyReport, reindex]);
    const typo: ScheduleEntry = { name: 'weekly-digest', cron: '0 61 * * 1', job: 'digest', data: {} };

    const attempt = syncJobSchedulers(queue, [dailyReport, typo]);
    await expect(attempt).rejects.toThrow(/weekly-digest/);
    expect((await schedulersOf(queue)).map((s) => s.id)).toContain('reindex-products');
    expect((await schedulersOf(queue)).map((s) => s.id)).not.toContain('weekly-digest');
  });

  it('checks the whole schedule before changing Redis: a refused entry leaves every scheduler as it was', async () => {
    const queue = maintenance();
    await syncJobSchedulers(queue, [dailyReport, reindex]);
    const before = await schedulersOf(queue);
    const edited: ScheduleEntry = { ...dailyReport, cron: '30 7 * * *' };
    const added: ScheduleEntry = { name: 'hourly-ping', every: 3_600_000, job: 'ping', data: {} };
    const typo: ScheduleEntry = { name: 'weekly-digest', cron: '0 61 * * 1', job: 'digest', data: {} };

    // The good entries come first: nothing of them may reach Redis before the typo is found.
    await expect(syncJobSchedulers(queue, [edited, added, typo])).rejects.toThrow(/weekly-digest/);
    expect(await schedulersOf(queue)).toEqual(before);
    expect((await queue.getJobs(['delayed', 'waiting'])).map((job) => job.name).sort()).toEqual(['daily-report', 'index-products']);
  });

  it('names every refused entry, not only the first', async () => {
    const queue = maintenance();
    const attempt = syncJobSchedulers(queue, [
      { name: 'weekly-digest', cron: '0 61 * * 1', job: 'digest', data: {} },
      { ...dailyReport, name: 'atlantis-report', tz: 'Europe/Atlantis' },
    ]);
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/weekly-digest/);
    expect((error as Error).message).toMatch(/atlantis-report/);
    expect(await queue.getJobSchedulersCount()).toBe(0);
  });

  it('reports an unknown time zone with the entry name', async () => {
    const queue = maintenance();
    await expect(syncJobSchedulers(queue, [{ ...dailyReport, tz: 'Europe/Atlantis' }])).rejects.toThrow(/daily-report/);
  });

  it('schedules "every" entries, and a worker receives their jobs again and again', async () => {
    const queue = maintenance();
    await syncJobSchedulers(queue, [{ name: 'heartbeat', every: 100, job: 'ping', data: { from: 'schedule' } }]);
    expect(await schedulersOf(queue)).toMatchObject([{ id: 'heartbeat', every: 100 }]);

    const seen: Job[] = [];
    env.track(new Worker('maintenance', async (job) => void seen.push(job), { connection: env.connection, prefix: env.prefix }));
    await waitUntil(() => seen.length >= 3, { timeoutMs: 5000, message: 'three runs of the heartbeat scheduler' });
    expect(seen.map((job) => [job.name, job.data])).toEqual(Array(seen.length).fill(['ping', { from: 'schedule' }]));
  });
});
