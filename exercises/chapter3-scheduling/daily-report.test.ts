import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { DAILY_REPORT_JOB, enqueueDailyReport, runDailyReport, type DailyReportData } from './daily-report.js';

const env = useTestEnv();

function reports(): Queue<DailyReportData> {
  return env.track(new Queue<DailyReportData>('reports', { connection: env.connection, prefix: env.prefix }));
}

/** Two tasks on 2030-01-15 (UTC), one on each day around it. */
async function seedTasks(): Promise<void> {
  for (const createdAt of ['2030-01-14T23:59:59Z', '2030-01-15T00:00:00Z', '2030-01-15T23:59:59Z', '2030-01-16T00:00:00Z']) {
    await env.db.task.create({ data: { title: `created ${createdAt}`, createdAt: new Date(createdAt) } });
  }
}

describe('the daily report (a recurring job that must not run twice for one date)', () => {
  it('two triggers for the same date put one job on the queue, and the worker writes one report', async () => {
    await seedTasks();
    const queue = reports();
    const events = env.track(new QueueEvents('reports', { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();

    const first = await enqueueDailyReport(queue, '2030-01-15');
    const second = await enqueueDailyReport(queue, '2030-01-15');
    expect(second.id).toBe(first.id);
    expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 0 });

    env.track(new Worker<DailyReportData>('reports', (job) => runDailyReport(env.db, job.data), { connection: env.connection, prefix: env.prefix }));
    await first.waitUntilFinished(events, 5000);
    expect(await env.db.dailyReport.findMany({ select: { date: true, taskCount: true } })).toEqual([{ date: '2030-01-15', taskCount: 2 }]);
  });

  it('writes one report when two deliveries with different job ids run at the same time', async () => {
    await seedTasks();
    const queue = reports();
    // E.g. a scheduler run and a manual re-run: their job ids differ, so only the database can tell.
    await queue.addBulk([
      { name: DAILY_REPORT_JOB, data: { date: '2030-01-15' } },
      { name: DAILY_REPORT_JOB, data: { date: '2030-01-15' } },
    ]);
    const finished: Job[] = [];
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

    expect(finished.map((job) => job.failedReason)).toEqual([undefined, undefined]);
    expect(await env.db.dailyReport.count()).toBe(1);
  });

  it('a run that finds the report already written completes without error and says so', async () => {
    await seedTasks();
    const results = await Promise.all([runDailyReport(env.db, { date: '2030-01-15' }), runDailyReport(env.db, { date: '2030-01-15' })]);
    const again = await runDailyReport(env.db, { date: '2030-01-15' });

    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(again).toEqual({ date: '2030-01-15', created: false });
    expect(await env.db.dailyReport.findMany({ select: { date: true, taskCount: true } })).toEqual([{ date: '2030-01-15', taskCount: 2 }]);
  });

  it('a run from the scheduler (no date in its data) reports yesterday by the clock it is given', async () => {
    await seedTasks();
    const result = await runDailyReport(env.db, {}, () => new Date('2030-01-16T06:00:00Z'));
    expect(result).toEqual({ date: '2030-01-15', created: true });
    expect(await env.db.dailyReport.findMany({ select: { date: true, taskCount: true } })).toEqual([{ date: '2030-01-15', taskCount: 2 }]);
  });

  it('refuses a date that is not YYYY-MM-DD, naming it, and adds nothing', async () => {
    const queue = reports();
    await expect(enqueueDailyReport(queue, '15/01/2030')).rejects.toThrow(/15\/01\/2030/);
    await expect(enqueueDailyReport(queue, '2030-02-30')).rejects.toThrow(RangeError);
    expect(await queue.count()).toBe(0);
  });
});
