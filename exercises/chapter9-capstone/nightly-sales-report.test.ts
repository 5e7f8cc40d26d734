import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, overlapWrites, postgresSkipReason, useTestEnv, waitUntil, type TestEnv } from '../../test/harness.js';
import { runSalesReport, SALES_REPORT_JOB, scheduleSalesReport, type SalesReportData } from './nightly-sales-report.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Orders around 2030-01-15 (UTC). Each total is a different power of two (in hundreds of cents),
 * so a sum tells exactly which orders were counted: the UTC day's are the three marked, while
 * Los Angeles' 15 January, Auckland's and Kolkata's hold other sets (Kolkata's even the same
 * number of orders, with another sum).
 */
const ORDERS = [
  { createdAt: '2030-01-14T12:00:00.000Z', totalCents: 100 },
  { createdAt: '2030-01-14T23:59:59.999Z', totalCents: 200 }, // the day before's last instant
  { createdAt: '2030-01-15T00:00:00.000Z', totalCents: 400 }, // the UTC day's first instant
  { createdAt: '2030-01-15T10:00:00.000Z', totalCents: 800 },
  { createdAt: '2030-01-15T23:59:59.999Z', totalCents: 1600 }, // and its last
  { createdAt: '2030-01-16T00:00:00.000Z', totalCents: 3200 }, // the next day's first
  { createdAt: '2030-01-16T05:00:00.000Z', totalCents: 6400 },
];
const REPORT_OF_2030_01_15 = { date: '2030-01-15', orderCount: 3, totalCents: 400 + 800 + 1600 };

async function seedOrders(env: TestEnv): Promise<void> {
  // Newest first: ids and creation times run in opposite orders, so only createdAt can tell the day.
  for (const { createdAt, totalCents } of [...ORDERS].reverse()) {
    await env.db.order.create({ data: { reference: `order-${createdAt}`, totalCents, createdAt: new Date(createdAt) } });
  }
}

async function reports(env: TestEnv) {
  return env.db.salesReport.findMany({ select: { date: true, orderCount: true, totalCents: true }, orderBy: { date: 'asc' } });
}

function reportsQueue(env: TestEnv): Queue<SalesReportData> {
  return env.track(new Queue<SalesReportData>('sales-reports', { connection: env.connection, prefix: env.prefix }));
}

/** Sets `process.env.TZ` for the current test; Node applies it to Date (and to cron's "local") at once. */
function useZone(): (zone: string) => void {
  const zoneBefore = process.env.TZ;
  afterEach(() => {
    if (zoneBefore === undefined) delete process.env.TZ;
    else process.env.TZ = zoneBefore;
  });
  return (zone) => {
    process.env.TZ = zone;
  };
}

describe('the schedule (sidekiq-cron schedule.yml)', () => {
  const env = useTestEnv();
  const setZone = useZone();

  it.each(['UTC', 'America/Los_Angeles', 'Pacific/Auckland'])(
    'with the process in %s, SALES_REPORT_SCHEDULE gives one scheduler of sales-report jobs whose next run is at 00:05 UTC',
    async (zone) => {
      setZone(zone);
      const queue = reportsQueue(env);
      const before = Date.now();
      await scheduleSalesReport(queue);

      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.name)).toEqual([SALES_REPORT_JOB]);
      const next = schedulers[0]!.next!;
      // Not "06:00", not 00:05 in the server's zone: 00:05 UTC, the next one to come.
      expect(new Date(next).toISOString().slice(11)).toBe('00:05:00.000Z');
      expect(next).toBeGreaterThan(before);
      expect(next - before).toBeLessThanOrEqual(DAY_MS);
      // The template is the same every night: no date in it, the job works the day out itself.
      expect(schedulers[0]!.template?.data ?? {}).not.toHaveProperty('date');
    },
  );

  it('loaded again, or by two processes at once, still leaves one scheduler and one upcoming job', async () => {
    const queue = reportsQueue(env);
    await scheduleSalesReport(queue);
    await scheduleSalesReport(queue);
    await Promise.all([scheduleSalesReport(queue), scheduleSalesReport(reportsQueue(env))]);

    expect(await queue.getJobSchedulersCount()).toBe(1);
    expect((await queue.getJobs(['delayed', 'waiting'])).map((job) => job.name)).toEqual([SALES_REPORT_JOB]);
  });

  it("the scheduler's job, run early by a worker at 00:05 on 16 January, writes the report of the 15th", async () => {
    await seedOrders(env);
    const queue = reportsQueue(env);
    const events = env.track(new QueueEvents('sales-reports', { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();
    await scheduleSalesReport(queue);
    const [upcoming] = await queue.getJobs(['delayed']);
    expect(upcoming).toBeDefined();

    const clock = () => new Date('2030-01-16T00:05:00Z');
    env.track(new Worker<SalesReportData>('sales-reports', (job) => runSalesReport(job, env.db, clock), { connection: env.connection, prefix: env.prefix }));
    await upcoming!.promote(); // nobody waits for 00:05 in a test
    await upcoming!.waitUntilFinished(events, 5000);

    expect(await reports(env)).toEqual([REPORT_OF_2030_01_15]);
  });

  it('refuses a malformed schedule with an error naming the entry, and schedules nothing', async () => {
    const queue = reportsQueue(env);
    await expect(scheduleSalesReport(queue, 'sales-report:\n  crom: "5 0 * * *"\n  job: sales-report\n')).rejects.toThrow(/sales-report/);
    expect(await queue.getJobSchedulersCount()).toBe(0);
  });
});

// A day is the UTC day, whatever zone the worker's server is in.
describe.each(['UTC', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Kolkata'])('the sales of a UTC day, with the process in %s', (zone) => {
  const env = useTestEnv();
  const setZone = useZone();

  it("counts and sums the orders from the day's first instant up to, not including, the next day's", async () => {
    await seedOrders(env);
    setZone(zone);
    expect(await runSalesReport({ data: { date: '2030-01-15' } }, env.db)).toEqual({ date: '2030-01-15', created: true });
    expect(await reports(env)).toEqual([REPORT_OF_2030_01_15]);
  });

  it.each(['2030-01-16T00:05:00Z', '2030-01-16T23:30:00Z'])('a run without a date at %s reports yesterday, 2030-01-15', async (now) => {
    await seedOrders(env);
    setZone(zone);
    expect(await runSalesReport({ data: {} }, env.db, () => new Date(now))).toEqual({ date: '2030-01-15', created: true });
    expect(await reports(env)).toEqual([REPORT_OF_2030_01_15]);
  });
});

describe('one report per date', () => {
  const env = useTestEnv();

  it('writes a report of zeros for a day without orders', async () => {
    await seedOrders(env);
    expect(await runSalesReport({ data: { date: '2030-01-20' } }, env.db)).toEqual({ date: '2030-01-20', created: true });
    expect(await reports(env)).toEqual([{ date: '2030-01-20', orderCount: 0, totalCents: 0 }]);
  });

  it('a second run for the date (a retry, a redelivery) completes, writes nothing, and leaves the first report as it was', async () => {
    await seedOrders(env);
    await runSalesReport({ data: { date: '2030-01-15' } }, env.db);
    // An order that turns up late changes nothing: the report of a closed day is written once.
    await env.db.order.create({ data: { reference: 'late', totalCents: 12_800, createdAt: new Date('2030-01-15T12:00:00Z') } });

    expect(await runSalesReport({ data: { date: '2030-01-15' } }, env.db)).toEqual({ date: '2030-01-15', created: false });
    expect(await runSalesReport({ data: {} }, env.db, () => new Date('2030-01-16T00:05:00Z'))).toEqual({ date: '2030-01-15', created: false });
    expect(await reports(env)).toEqual([REPORT_OF_2030_01_15]);
  });

  it.each(['15/01/2030', '2030-1-15', '2030-02-30', '2030-01-15T00:00:00Z'])('refuses the date %s with a RangeError naming it, and writes nothing', async (date) => {
    await seedOrders(env);
    const attempt = runSalesReport({ data: { date } }, env.db);
    await expect(attempt).rejects.toThrow(RangeError);
    await expect(runSalesReport({ data: { date } }, env.db)).rejects.toThrow(date);
    expect(await reports(env)).toEqual([]);
  });
});

// Two deliveries for one date race for the unique index: PostgreSQL lets them really overlap.
for (const database of DATABASE_KINDS) {
  const skip = database === 'postgres' ? postgresSkipReason() : undefined;
  describe.skipIf(skip)(`two runs at once on ${database}`, () => {
    const env = useTestEnv({ database });

    it('both jobs complete without error, and one report is written', async () => {
      await seedOrders(env);
      const queue = reportsQueue(env);
      // The scheduler's run and an operator's manual one: different job ids, so only the database can tell.
      await queue.addBulk([
        { name: SALES_REPORT_JOB, data: {} },
        { name: SALES_REPORT_JOB, data: { date: '2030-01-15' } },
      ]);
      // Connections already open, as in a worker that has been up for a while.
      await Promise.all([1, 2].map(() => env.db.$transaction([env.db.salesReport.count()])));
      const finished: Job[] = [];
      const clock = () => new Date('2030-01-16T00:05:00Z');
      const runBoth = async () => {
        const worker = env.track(
          new Worker<SalesReportData>('sales-reports', (job) => runSalesReport(job, env.db, clock), {
            connection: env.connection,
            prefix: env.prefix,
            concurrency: 2,
          }),
        );
        worker.on('completed', (job) => finished.push(job));
        worker.on('failed', (job) => job && finished.push(job));
        await waitUntil(() => finished.length === 2, { message: 'both sales-report jobs to finish' });
      };
      // On PostgreSQL both runs have read before either can write: a check-then-insert loses every time.
      await (database === 'postgres' ? overlapWrites(env, 'SalesReport', 2, runBoth) : runBoth());

      expect(finished.map((job) => job.failedReason)).toEqual([undefined, undefined]);
      expect(finished.map((job) => job.returnvalue.created).sort()).toEqual([false, true]);
      expect(await reports(env)).toEqual([REPORT_OF_2030_01_15]);
    });
  });
}
