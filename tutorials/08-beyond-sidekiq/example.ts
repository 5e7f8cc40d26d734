/**
 * Chapter 8: `Sidekiq::Batch` as a BullMQ flow (B1), and the two ways to chain jobs (B2).
 *
 *   npx tsx tutorials/08-beyond-sidekiq/example.ts
 *
 * A monthly report built from one child job per account; one account's job fails, and the report
 * runs anyway with `ignoreDependencyOnFailure` and says which account is missing. Then a chain
 * `fetch-invoices` → `send-statement`, once enqueued from the processor and once as a flow.
 */
import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-08-${process.pid}`;
const options = { connection, prefix };

const flows = new FlowProducer(options);
const accounts = new Queue('accounts', options);
const reports = new Queue('reports', options);
const statements = new Queue('statements', options);
const reportEvents = new QueueEvents('reports', options);
const statementEvents = new QueueEvents('statements', options);

const accountWorker = new Worker(
  'accounts',
  async (job: Job<{ accountId: number }>) => {
    if (job.data.accountId === 3) throw new Error('account 3 is locked');
    return { accountId: job.data.accountId, totalCents: job.data.accountId * 1250 };
  },
  { ...options, concurrency: 4 },
);
// on(:success) / on(:complete): the parent runs once every child has finished (or been ignored).
const reportWorker = new Worker(
  'reports',
  async (job: Job<{ month: string }>) => {
    const summaries = Object.values(await job.getChildrenValues<{ totalCents: number }>());
    const failures = Object.values(await job.getIgnoredChildrenFailures());
    return { month: job.data.month, accounts: summaries.length, totalCents: summaries.reduce((sum, s) => sum + s.totalCents, 0), failures };
  },
  options,
);
// B2, first way: the processor enqueues the next step itself, with a job id that makes a retry harmless.
const statementWorker = new Worker(
  'statements',
  async (job: Job<{ customerId: number; invoices?: number[] }>) => {
    if (job.name === 'fetch-invoices') {
      const invoices = [101, 102, 103];
      // As a child in a flow (opts.parent set), the next step is its parent: enqueue nothing.
      if (job.opts.parent === undefined) {
        await statements.add('send-statement', { customerId: job.data.customerId, invoices }, { jobId: `send-statement-${job.id}` });
      }
      return invoices;
    }
    // In a flow, the parent reads what its child returned instead of getting it as data.
    const invoices = job.data.invoices ?? Object.values(await job.getChildrenValues<number[]>())[0];
    return `statement for customer ${job.data.customerId}: invoices ${invoices?.join(', ')}`;
  },
  options,
);

try {
  await Promise.all([reportEvents.waitUntilReady(), statementEvents.waitUntilReady()]);

  console.log('B1: a report from five per-account jobs (account 3 fails)');
  const tree = await flows.add({
    name: 'monthly-report',
    queueName: 'reports',
    data: { month: '2026-11' },
    children: [1, 2, 3, 4, 5].map((accountId) => ({
      name: 'summarize-account',
      queueName: 'accounts',
      data: { accountId },
      // Without a failure option, account 3's failure would leave the report in waiting-children for ever.
      opts: { ignoreDependencyOnFailure: true },
    })),
  });
  console.log(`   parent #${tree.job.id} is ${await tree.job.getState()}, with ${tree.children?.length} children`);
  const report = await tree.job.waitUntilFinished(reportEvents, 10_000);
  console.log('   report:', JSON.stringify(report));

  console.log('\nB2: a chain, enqueued from the processor');
  const first = await statements.add('fetch-invoices', { customerId: 42 });
  await first.waitUntilFinished(statementEvents, 10_000);
  const next = await statements.getJob(`send-statement-${first.id}`);
  console.log(`   ${await next!.waitUntilFinished(statementEvents, 10_000)}`);

  console.log('B2: the same chain as a flow (the last step is the parent)');
  const chain = await flows.add({
    name: 'send-statement',
    queueName: 'statements',
    data: { customerId: 43 },
    children: [{ name: 'fetch-invoices', queueName: 'statements', data: { customerId: 43 } }],
  });
  console.log(`   ${await chain.job.waitUntilFinished(statementEvents, 10_000)}`);
} finally {
  await Promise.all([accountWorker.close(), reportWorker.close(), statementWorker.close()]);
  await Promise.all([reportEvents.close(), statementEvents.close(), flows.close()]);
  for (const queue of [accounts, reports, statements]) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await redis.release();
}
