import { Writable } from 'node:stream';
import { Queue, Worker, type Job } from 'bullmq';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { logJobs } from './log-jobs.js';

const env = useTestEnv();

/** A pino logger writing into an array, one parsed JSON object per line. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Runs `jobs` through a Worker whose processor is `logJobs(work)`, with a clock that each job moves by `stepMs`. */
async function run(work: (job: Job) => Promise<unknown>, add: (queue: Queue) => Promise<Job[]>, stepMs = 40) {
  const { logger, lines } = memoryLogger();
  let clock = 1000;
  const processor = logJobs(
    async (job: Job) => {
      clock += stepMs;
      return work(job);
    },
    logger,
    () => clock,
  );
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('mailer', options));
  env.track(new Worker('mailer', processor, options));
  const jobs = await add(queue);
  await waitUntil(async () => (await Promise.all(jobs.map((job) => queue.getJobState(job.id!)))).every((s) => s === 'completed' || s === 'failed'), {
    message: 'every job to finish',
  });
  return { lines, jobs, queue };
}

it('logs a start and a finish line with the queue, job name, id, attempt and duration, and keeps the result', async () => {
  const { lines, jobs, queue } = await run(async (job) => `sent to ${job.data.to}`, async (q) => [await q.add('welcome', { to: 'ann@example.com' })]);
  await waitUntil(() => lines.length >= 2, { message: 'two log lines' });

  const fields = { queue: 'mailer', job: 'welcome', jobId: jobs[0]!.id, attempt: 1 };
  expect(lines).toEqual([
    expect.objectContaining({ ...fields, level: 30, msg: 'job started' }),
    expect.objectContaining({ ...fields, level: 30, msg: 'job finished', durationMs: 40 }),
  ]);
  expect(lines[0]).not.toHaveProperty('durationMs');
  expect((await queue.getJob(jobs[0]!.id!))?.returnvalue).toBe('sent to ann@example.com');
});

it('logs a failure at error level with the error, and lets BullMQ retry: attempt 2 is logged as such', async () => {
  const { lines, jobs, queue } = await run(
    async (job) => {
      if (job.attemptsMade === 0) throw new Error('SMTP timeout');
      return 'sent';
    },
    async (q) => [await q.add('welcome', { to: 'bob@example.com' }, { attempts: 2 })],
    15,
  );
  await waitUntil(() => lines.length >= 4, { message: 'four log lines' });

  const fields = { queue: 'mailer', job: 'welcome', jobId: jobs[0]!.id };
  expect(lines).toEqual([
    expect.objectContaining({ ...fields, attempt: 1, level: 30, msg: 'job started' }),
    expect.objectContaining({ ...fields, attempt: 1, level: 50, msg: 'job failed', durationMs: 15, err: expect.objectContaining({ message: 'SMTP timeout' }) }),
    expect.objectContaining({ ...fields, attempt: 2, level: 30, msg: 'job started' }),
    expect.objectContaining({ ...fields, attempt: 2, level: 30, msg: 'job finished', durationMs: 15 }),
  ]);
  expect(await queue.getJobState(jobs[0]!.id!)).toBe('completed');
});

it('keeps the failure reason BullMQ records when the last attempt fails', async () => {
  const { lines, jobs, queue } = await run(
    async () => {
      throw new Error('mailbox full');
    },
    async (q) => [await q.add('digest', { to: 'cy@example.com' })],
  );
  await waitUntil(() => lines.length >= 2, { message: 'two log lines' });

  expect(lines[1]).toMatchObject({ job: 'digest', msg: 'job failed', level: 50, err: expect.objectContaining({ message: 'mailbox full' }) });
  expect((await queue.getJob(jobs[0]!.id!))?.failedReason).toBe('mailbox full');
});
