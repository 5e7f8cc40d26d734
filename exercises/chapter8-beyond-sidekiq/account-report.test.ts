import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { ACCOUNTS_QUEUE, addAccountReport, buildReport, REPORTS_QUEUE, type AccountSummary } from './account-report.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });

/** Workers for both queues: accounts in `failing` throw; every report run is recorded. */
function startWorkers(failing: number[] = []) {
  const reportStarts: number[] = [];
  env.track(
    new Worker(
      ACCOUNTS_QUEUE,
      async (job: Job<{ accountId: number }>): Promise<AccountSummary> => {
        if (failing.includes(job.data.accountId)) throw new Error(`account ${job.data.accountId} is locked`);
        return { accountId: job.data.accountId, totalCents: job.data.accountId * 100 };
      },
      { ...options(), concurrency: 3 },
    ),
  );
  env.track(
    new Worker(
      REPORTS_QUEUE,
      async (job: Job<{ date: string }>) => {
        reportStarts.push(Date.now());
        return buildReport(job);
      },
      options(),
    ),
  );
  return { reportStarts };
}

it('runs the report once, after every account, from the accounts’ return values', async () => {
  const flows = env.track(new FlowProducer(options()));
  const events = env.track(new QueueEvents(REPORTS_QUEUE, options()));
  await events.waitUntilReady();
  const run = startWorkers();

  const tree = await addAccountReport(flows, { date: '2026-11-27', accountIds: [1, 2, 3, 4], onAccountFailure: 'fail' });

  expect(tree.job.queueName).toBe(REPORTS_QUEUE);
  expect(tree.children?.map((child) => child.job.data)).toEqual(
    expect.arrayContaining([{ accountId: 1 }, { accountId: 2 }, { accountId: 3 }, { accountId: 4 }]),
  );
  await expect(tree.job.waitUntilFinished(events, 10_000)).resolves.toEqual({
    date: '2026-11-27',
    accounts: 4,
    totalCents: 1000,
    missingAccounts: 0,
  });
  expect(run.reportStarts).toHaveLength(1);
  // Redis's own record: the report started after the last account had finished.
  const accounts = env.track(new Queue(ACCOUNTS_QUEUE, options()));
  const children = await Promise.all(tree.children!.map((child) => accounts.getJob(child.job.id!)));
  const reportStarted = (await env.track(new Queue(REPORTS_QUEUE, options())).getJob(tree.job.id!))!.processedOn!;
  expect(reportStarted).toBeGreaterThanOrEqual(Math.max(...children.map((child) => child!.finishedOn!)));
});

it("with 'fail', a failed account fails the report and the report never runs", async () => {
  const flows = env.track(new FlowProducer(options()));
  const reports = env.track(new Queue(REPORTS_QUEUE, options()));
  const run = startWorkers([2]);

  const tree = await addAccountReport(flows, { date: '2026-11-27', accountIds: [1, 2, 3], onAccountFailure: 'fail' });

  await waitUntil(async () => (await reports.getJobState(tree.job.id!)) === 'failed', { message: 'the report to fail', timeoutMs: 10_000 });
  expect(run.reportStarts).toEqual([]);
});

it("with 'ignore', the report runs with the other accounts and counts the missing one", async () => {
  const flows = env.track(new FlowProducer(options()));
  const events = env.track(new QueueEvents(REPORTS_QUEUE, options()));
  await events.waitUntilReady();
  startWorkers([2]);

  const tree = await addAccountReport(flows, { date: '2026-11-28', accountIds: [1, 2, 3], onAccountFailure: 'ignore' });

  await expect(tree.job.waitUntilFinished(events, 10_000)).resolves.toEqual({
    date: '2026-11-28',
    accounts: 2,
    totalCents: 400,
    missingAccounts: 1,
  });
});

it('refuses an empty or bad request with a RangeError and enqueues nothing', async () => {
  const flows = env.track(new FlowProducer(options()));
  const accounts = env.track(new Queue(ACCOUNTS_QUEUE, options()));
  const reports = env.track(new Queue(REPORTS_QUEUE, options()));

  await expect(addAccountReport(flows, { date: '2026-11-27', accountIds: [], onAccountFailure: 'fail' })).rejects.toThrow(RangeError);
  await expect(addAccountReport(flows, { date: '2026-11-27', accountIds: [1, 2.5], onAccountFailure: 'fail' })).rejects.toThrow(RangeError);
  await expect(addAccountReport(flows, { date: 'yesterday', accountIds: [1], onAccountFailure: 'fail' })).rejects.toThrow(RangeError);

  const counts = [await accounts.getJobCountByTypes(), await reports.getJobCountByTypes()];
  expect(counts).toEqual([0, 0]);
});
