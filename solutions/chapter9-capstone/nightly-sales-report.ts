import type { Job, Queue } from 'bullmq';
import type { Database } from '../../src/db/client.js';
import { Prisma } from '../../src/generated/sqlite/client.js';
import { parseSchedule } from '../../src/scheduling/schedule-file.js';

/** The name of the job the schedule adds and the worker runs: sidekiq-cron's `class: SalesReportJob`. */
export const SALES_REPORT_JOB = 'sales-report';

/**
 * The shop's schedule, in the workbook's schedule-file format (`src/scheduling/schedule-file.ts`):
 * the port of `schedule.yml`'s `sales_report: { cron: "5 0 * * *", class: SalesReportJob }`.
 * The report must run at 00:05 UTC every day, wherever the worker's server is.
 */
export const SALES_REPORT_SCHEDULE = `
sales-report:
  description: Counts and sums yesterday's orders into one SalesReport row
  cron: "5 0 * * *"   # 00:05 every day
  tz: UTC             # without it, 00:05 in the zone of whichever server loads the file
  job: ${SALES_REPORT_JOB}
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
  for (const entry of parseSchedule(scheduleText, 'the sales report schedule')) {
    const when = entry.cron !== undefined ? { pattern: entry.cron, tz: entry.tz } : { every: entry.every };
    // Upsert, keyed by the entry's name: loading the file twice changes nothing.
    await queue.upsertJobScheduler(entry.name, when, { name: entry.job, data: entry.data });
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

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
  // toISOString is always UTC: the day before now, whatever TZ the process has.
  const date = job.data.date === undefined ? new Date(now().getTime() - DAY_MS).toISOString().slice(0, 10) : checkDate(job.data.date);
  const start = new Date(`${date}T00:00:00.000Z`);
  const end = new Date(start.getTime() + DAY_MS);
  // lt, not lte: the next day's 00:00:00.000 belongs to the next day's report.
  const sales = await db.order.aggregate({
    where: { createdAt: { gte: start, lt: end } },
    _count: { _all: true },
    _sum: { totalCents: true },
  });
  try {
    await db.salesReport.create({ data: { date, orderCount: sales._count._all, totalCents: sales._sum.totalCents ?? 0 } });
    return { date, created: true };
  } catch (error) {
    // P2002: the unique index on date says another run (a retry, a manual run) got there first.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return { date, created: false };
    throw error;
  }
}

/** `date` when it is a real calendar day written `YYYY-MM-DD`; a RangeError naming it otherwise. */
function checkDate(date: unknown): string {
  const text = String(date);
  const parsed = new Date(`${text}T00:00:00Z`);
  // The round trip turns away 2030-02-30, which Date would roll over into March.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text) {
    throw new RangeError(`${JSON.stringify(date)} is not a sales report date; write a calendar day as YYYY-MM-DD, e.g. 2030-01-15`);
  }
  return text;
}
