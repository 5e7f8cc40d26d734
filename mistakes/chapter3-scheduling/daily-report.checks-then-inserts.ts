// Mistake: returns early when the report exists and otherwise inserts, like 'return if Report.exists?(date:)': two runs at once both find none, and the second insert fails with P2002
import type { Job, Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';

/** The job name the worker and the schedule file use. */
export const DAILY_REPORT_JOB = 'daily-report';

/** The payload of a `daily-report` job. Runs added by the scheduler carry no date. */
export interface DailyReportData {
  /** The UTC day to report on, `YYYY-MM-DD`; absent means yesterday. */
  date?: string;
}

/** What one run did. */
export interface DailyReportResult {
  date: string;
  /** `false` when the report for that date already existed, so this run changed nothing. */
  created: boolean;
}

/**
 * Returns `date` when it is a real calendar day written `YYYY-MM-DD`.
 *
 * @throws RangeError naming the value otherwise.
 */
export function checkReportDate(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`${JSON.stringify(date)} is not a report date; write a calendar day as YYYY-MM-DD, e.g. 2030-01-15`);
  }
  return date;
}

/** The UTC day before `now`, as `YYYY-MM-DD`: the last day that is over. */
export function yesterdayUtc(now: Date): string {
  return new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/**
 * Adds the report job for `date` (a manual trigger or a backfill). The job id is derived from
 * the date, so a second call for the same date, while the first job is still kept in Redis,
 * adds nothing and returns the job already there.
 *
 * @throws RangeError when `date` is not `YYYY-MM-DD`.
 */
export async function enqueueDailyReport(queue: Queue, date: string): Promise<Job<DailyReportData>> {
  return queue.add(DAILY_REPORT_JOB, { date: checkReportDate(date) }, { jobId: `${DAILY_REPORT_JOB}-${date}` });
}

/**
 * The job's work, like `DailyReportJob#perform`: counts the tasks created on the day and writes
 * one DailyReport row. Whatever triggers it, and however often, there is one row per date: the
 * unique index on `DailyReport.date` decides, and a run that loses the race reports
 * `created: false` instead of failing.
 */
export async function runDailyReport(db: Database, data: DailyReportData, now: () => Date = () => new Date()): Promise<DailyReportResult> {
  const date = data.date === undefined ? yesterdayUtc(now()) : checkReportDate(data.date);
  const start = new Date(`${date}T00:00:00Z`);
  const end = new Date(start.getTime() + 24 * 60 * 60 * 1000);
  const taskCount = await db.task.count({ where: { createdAt: { gte: start, lt: end } } });
  if (await db.dailyReport.findUnique({ where: { date } })) return { date, created: false };
  await db.dailyReport.create({ data: { date, taskCount } });
  return { date, created: true };
}
