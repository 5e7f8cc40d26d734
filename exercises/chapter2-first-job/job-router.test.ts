import { Queue, QueueEvents, UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { startQueueWorker } from './job-router.js';

const env = useTestEnv();

// Like `Sidekiq::Testing.inline!`, but real: a Worker on the test's private Redis, and the test
// waits for each job to finish (or fail) through QueueEvents.
async function setUp() {
  const options = { connection: env.connection, prefix: env.prefix };
  const queue = env.track(new Queue('mailers', options));
  const events = env.track(new QueueEvents('mailers', options));
  await events.waitUntilReady();
  return { queue, events, options };
}

describe('startQueueWorker', () => {
  it('runs each job with the processor registered for its name', async () => {
    const { queue, events, options } = await setUp();
    env.track(
      startQueueWorker(
        'mailers',
        {
          'welcome-email': async (job) => `welcome sent to user ${job.data.userId}`,
          'password-reset': async (job) => `reset link sent to user ${job.data.userId}`,
        },
        options,
      ),
    );

    const welcome = await queue.add('welcome-email', { userId: 1 });
    const reset = await queue.add('password-reset', { userId: 2 });
    await expect(welcome.waitUntilFinished(events, 5000)).resolves.toBe('welcome sent to user 1');
    await expect(reset.waitUntilFinished(events, 5000)).resolves.toBe('reset link sent to user 2');
  });

  it('fails a job with no processor at once, with an UnrecoverableError, although it had attempts left', async () => {
    const { queue, events, options } = await setUp();
    const worker = env.track(startQueueWorker('mailers', { 'welcome-email': async () => 'sent' }, options));
    const errors: Error[] = [];
    worker.on('failed', (_job, error) => errors.push(error));

    const unknown = await queue.add('newsletter', {}, { attempts: 3, backoff: { type: 'fixed', delay: 1 } });
    await expect(unknown.waitUntilFinished(events, 5000)).rejects.toThrow('No processor for job "newsletter" on queue "mailers"');
    const failed = await queue.getJob(unknown.id!);
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.attemptsMade).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnrecoverableError);
  });

  it('keeps processing the next jobs after an unknown one', async () => {
    const { queue, events, options } = await setUp();
    env.track(startQueueWorker('mailers', { 'welcome-email': async () => 'sent' }, options));

    const unknown = await queue.add('newsletter', {});
    await expect(unknown.waitUntilFinished(events, 5000)).rejects.toThrow('No processor for job "newsletter" on queue "mailers"');
    const next = await queue.add('welcome-email', { userId: 3 });
    await expect(next.waitUntilFinished(events, 5000)).resolves.toBe('sent');
  });

  it.each(['toString', 'constructor'])('has no processor for a job named %s (a name every object has)', async (name) => {
    const { queue, events, options } = await setUp();
    env.track(startQueueWorker('mailers', { 'welcome-email': async () => 'sent' }, options));

    const job = await queue.add(name, {});
    await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow(`No processor for job "${name}" on queue "mailers"`);
  });
});
