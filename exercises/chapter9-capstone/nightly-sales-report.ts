import type { Job, Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';

/** The name of the job the schedule adds and the worker runs: sidekiq-cron's `class: SalesReportJob`. */
export const SALES_REPORT_JOB = 'sales-report';

/**
 * The shop's schedule, in the workbook's schedule-file format (`src/scheduling/schedule-file.ts`):
 * the port of `schedule.yml`'s `sales_report: { cron: "5 0 * * *", class: SalesReportJob }`.
 * The report must run at 00:05 UTC every day, wherever the worker's server is.
 */
export const SALES_REPORT_SCHEDULE = `
# TODO(chapter 9): one entry that adds a sales-report job at 00:05 UTC every day
`;

/** The payload of a `sales-report` job. The scheduler's runs carry none. */
export interface SalesReportData {
  /** The UTC day to report on, `YYYY-MM-DD` (a backfill or a manual run); absent means yesterday. */
  date?: string;
}

/** What one run did. */
export interface SalesReportResult {
  /** The UTC day reported on, `YYYY-MM-DD`. */
  date: string;
  /** `false` when that day's report already existed, so this run wrote nothing. */
  created: boolean;
}

/**
 * Turns the schedule text (by default {@link SALES_REPORT_SCHEDULE}) into BullMQ job schedulers
 * on `queue`: one scheduler per entry, its id the entry's name, with the entry's cron pattern
 * and time zone (or `every`), adding jobs named and filled as the entry says. Loading the same
 * schedule again (a restart, a second worker process) leaves one scheduler per entry.
 *
 * @throws Error from the schedule file's parser when the text is malformed.
 */
export async function scheduleSalesReport(queue: Queue, scheduleText: string = SALES_REPORT_SCHEDULE): Promise<void> {
  throw new Error('TODO(chapter 9): write SALES_REPORT_SCHEDULE, parse it with parseSchedule and upsert a job scheduler per entry');
}

/**
 * The processor of `sales-report` jobs, like `SalesReportJob#perform`: counts the orders created
 * on the UTC day `job.data.date` (or, without one, the UTC day before `now()`), from its first
 * instant up to the next day's first, sums their `totalCents`, and writes one SalesReport row.
 * However many runs there are for a date, one after the other or at the same time, one row is
 * written: the unique `SalesReport.date` decides, and a run that finds it taken completes with
 * `created: false` instead of failing.
 *
 * @throws RangeError naming the value when `job.data.date` is not a calendar day written
 * `YYYY-MM-DD`; nothing is written then.
 */
export async function runSalesReport(
  job: Pick<Job<SalesReportData>, 'data'>,
  db: Database,
  now: () => Date = () => new Date(),
): Promise<SalesReportResult> {
  throw new Error(
    "TODO(chapter 9): work out the UTC day, count and sum that day's orders, create the SalesReport; a unique-constraint error (P2002) means already done",
  );
}
