import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, overlapWrites, postgresSkipReason, useTestEnv, waitUntil, type TestEnv } from '../../test/harness.js';
import { DAILY_REPORT_JOB, enqueueDailyReport, runDailyReport, type DailyReportData } from './daily-report.js';

/**
 * Tasks around 2030-01-15 (UTC), placed so that the day counted in any other zone gives another
 * number: 3 on the UTC day, but 6 on Los Angeles' 15th, 5 on Auckland's, 4 on Kolkata's.
 */
const TASKS_CREATED_AT = [
  '2030-01-14T12:00:00Z',
  '2030-01-14T20:00:00Z',
  '2030-01-14T20:00:00Z',
  '2030-01-15T00:00:00Z', // the UTC day's first instant
  '2030-01-15T10:00:00Z',
  '2030-01-15T23:59:59.999Z', // and its last
  '2030-01-16T00:00:00Z',
  '2030-01-16T00:00:00Z',
  '2030-01-16T00:00:00Z',
  '2030-01-16T00:00:00Z',
];
const TASKS_ON_2030_01_15 = 3;

async function seedTasks(env: TestEnv): Promise<void> {
  // Newest first: ids and creation times run in opposite orders, so only createdAt can tell the day.
  for (const createdAt of [...TASKS_CREATED_AT].reverse()) {
    await env.db.task.create({ data: { title: `created ${createdAt}`, createdAt: new Date(createdAt) } });
  }
}

function reportsQueue(env: TestEnv): Queue<DailyReportData> {
  return env.track(new Queue<DailyReportData>('reports', { connection: env.connection, prefix: env.prefix }));
}

describe('the daily report on the queue', () => {
  const env = useTestEnv();

  it('two triggers for the same date put one job on the queue, and the worker writes one report', async () => {
    await seedTasks(env);
    const queue = reportsQueue(env);
    const events = env.track(new QueueEvents('reports', { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();

    const first = await enqueueDailyReport(queue, '2030-01-15');
    const second = await enqueueDailyReport(queue, '2030-01-15');
    expect(second.id).toBe(first.id);
    expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 0 });

    env.track(new Worker<DailyReportData>('reports', (job) => runDailyReport(env.db, job.data), { connection: env.connection, prefix: env.prefix }));
    await first.waitUntilFinished(events, 5000);
    expect(await env.db.dailyReport.findMany({ select: { date: true, taskCount: true } })).toEqual([{ date: '2030-01-15', taskCount: TASKS_ON_2030_01_15 }]);
  });

  it('a trigger after that job has finished adds nothing either, while the finished job is kept', async () => {
    await seedTasks(env);
    const queue = reportsQueue(env);
    const events = env.track(new QueueEvents('reports', { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();
    env.track(new Worker<DailyReportData>('reports', (job) => runDailyReport(env.db, job.data), { connection: env.connection, prefix: env.prefix }));

    const first = await enqueueDailyReport(queue, '2030-01-15');
    await first.waitUntilFinished(events, 5000);
    const again = await enqueueDailyReport(queue, '2030-01-15');

    expect(again.id).toBe(first.id);
    expect(await queue.getJobCounts('waiting', 'delayed', 'active', 'completed')).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 1 });
  });

  it('refuses a date that is not YYYY-MM-DD with a RangeError naming it, and adds nothing', async () => {
    const queue = reportsQueue(env);
    await expect(enqueueDailyReport(queue, '15/01/2030')).rejects.toThrow(RangeError);
    await expect(enqueueDailyReport(queue, '15/01/2030')).rejects.toThrow(/15\/01\/2030/);
    await expect(enqueueDailyReport(queue, '2030-02-30')).rejects.toThrow(RangeError);
    expect(await queue.count()).toBe(0);
  });
});

// Two runs for one date race for the unique index: PostgreSQL lets them really overlap.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`one report per date, however many runs, on ${database}`, () => {
    const env = useTestEnv({ database });

    it('writes one report when two deliveries with different job ids run at the same time', async () => {
      await seedTasks(env);
      const queue = reportsQueue(env);
      // E.g. a scheduler run and a manual re-run: their job ids differ, so only the database can tell.
      await queue.addBulk([
        { name: DAILY_REPORT_JOB, data: { date: '2030-01-15' } },
        { name: DAILY_REPORT_JOB, data: { date: '2030-01-15' } },
      ]);
      const finished: Job[] = [];
      // Connections already open, as in a worker that has been up for a while.
      await Promise.all([1, 2].map(() => env.db.$transaction([env.db.dailyReport.count()])));
      const runBoth = async () => {
        const worker = env.track(
          new Worker<DailyReportData>('reports', (job) => runDailyReport(env.db, job.data), {
            connection: env.connection,
            prefix: env.prefix,
            concurrency: 2,
          }),
        );
        worker.on('completed', (job) => finished.push(job));
        worker.on('failed', (job) => job && finished.push(job));
        await waitUntil(() => finished.length === 2, { message: 'both report jobs to finish' });
      };
      // On PostgreSQL the two runs overlap for certain: both have checked before either can write.
      await (database === 'postgres' ? overlapWrites(env, 'DailyReport', 2, runBoth) : runBoth());

      expect(finished.map((job) => job.failedReason)).toEqual([undefined, undefined]);
      expect(await env.db.dailyReport.count()).toBe(1);
    });

    it('of five runs at once, one writes the report and the others complete without error and say so', async () => {
      await seedTasks(env);
      // Five connections already open: a run still opening one does not reach its write in time.
      await Promise.all([1, 2, 3, 4, 5].map(() => env.db.$transaction([env.db.dailyReport.count()])));
      const runAll = () => Promise.all([1, 2, 3, 4, 5].map(() => runDailyReport(env.db, { date: '2030-01-15' })));
      // On PostgreSQL all five overlap for certain, as above: left to timing, they only sometimes do.
      const results = await (database === 'postgres' ? overlapWrites(env, 'DailyReport', 5, runAll) : runAll());
      const again = await runDailyReport(env.db, { date: '2030-01-15' });

      expect(results.map((r) => r.created).sort()).toEqual([false, false, false, false, true]);
      expect(again).toEqual({ date: '2030-01-15', created: false });
      expect(await env.db.dailyReport.findMany({ select: { date: true, taskCount: true } })).toEqual([{ date: '2030-01-15', taskCount: TASKS_ON_2030_01_15 }]);
    });
  });
}

// A "day" is the UTC day whatever zone the process runs in: servers are moved, laptops are not in UTC.
describe.each(['UTC', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Kolkata'])('the UTC day, with the process in %s', (zone) => {
  const env = useTestEnv();
  const zoneBefore = process.env.TZ;
  afterEach(() => {
    if (zoneBefore === undefined) delete process.env.TZ;
    else process.env.TZ = zoneBefore;
  });

  it('counts the tasks created on the UTC day, from its first instant to its last', async () => {
    await seedTasks(env);
    process.env.TZ = zone; // Node reads it again at once: Date's local time is now this zone's
    expect(await runDailyReport(env.db, { date: '2030-01-15' })).toEqual({ date: '2030-01-15', created: true });
    expect(await env.db.dailyReport.findMany({ select: { date: true, taskCount: true } })).toEqual([{ date: '2030-01-15', taskCount: TASKS_ON_2030_01_15 }]);
  });

  it.each(['2030-01-16T02:00:00Z', '2030-01-16T22:00:00Z'])('a run from the scheduler (no date) at %s reports yesterday, 2030-01-15', async (now) => {
    await seedTasks(env);
    process.env.TZ = zone;
    expect(await runDailyReport(env.db, {}, () => new Date(now))).toEqual({ date: '2030-01-15', created: true });
    expect(await env.db.dailyReport.findMany({ select: { date: true, taskCount: true } })).toEqual([{ date: '2030-01-15', taskCount: TASKS_ON_2030_01_15 }]);
  });
});
