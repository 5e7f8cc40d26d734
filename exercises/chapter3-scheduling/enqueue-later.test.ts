import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { enqueueAt, enqueueIn } from './enqueue-later.js';

const env = useTestEnv();
const fixedNow = () => new Date('2030-01-15T09:00:00Z');

function reminders(): Queue {
  return env.track(new Queue('reminders', { connection: env.connection, prefix: env.prefix }));
}

describe('enqueueIn (perform_in)', () => {
  it('holds the job in the delayed state, and a worker runs it only once the wait is over', async () => {
    const queue = reminders();
    const events = env.track(new QueueEvents('reminders', { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();

    const job = await enqueueIn(queue, 'task-reminder', { taskId: 1 }, 300);
    expect(job.delay).toBe(300); // milliseconds, as given: no unit conversion
    expect(await job.getState()).toBe('delayed');
    env.track(new Worker('reminders', async () => 'sent', { connection: env.connection, prefix: env.prefix }));
    await job.waitUntilFinished(events, 5000);

    const done = (await queue.getJob(job.id!))!;
    expect(done.name).toBe('task-reminder');
    expect(done.data).toEqual({ taskId: 1 });
    expect(done.processedOn! - done.timestamp).toBeGreaterThanOrEqual(300);
  });

  it('rejects a negative or non-numeric wait with a RangeError, and adds nothing', async () => {
    const queue = reminders();
    await expect(enqueueIn(queue, 'task-reminder', { taskId: 1 }, -1000)).rejects.toThrow(RangeError);
    await expect(enqueueIn(queue, 'task-reminder', { taskId: 1 }, Number.NaN)).rejects.toThrow(RangeError);
    expect(await queue.count()).toBe(0);
  });
});

describe('enqueueAt (perform_at)', () => {
  it('computes the delay from the clock it is given', async () => {
    const queue = reminders();
    const job = await enqueueAt(queue, 'task-reminder', { taskId: 2 }, new Date('2030-01-15T10:30:00Z'), fixedNow);
    expect(job.delay).toBe(90 * 60 * 1000);
    expect(await job.getState()).toBe('delayed');
    expect((await queue.getJob(job.id!))?.data).toEqual({ taskId: 2 });
  });

  it('accepts an ISO 8601 string, as a date arrives in a request body', async () => {
    const queue = reminders();
    const job = await enqueueAt(queue, 'task-reminder', { taskId: 3 }, '2030-01-16T09:00:00Z', fixedNow);
    expect(job.delay).toBe(24 * 60 * 60 * 1000);
  });

  it('runs a job whose time has already passed at once, instead of failing or waiting', async () => {
    const queue = reminders();
    const job = await enqueueAt(queue, 'task-reminder', { taskId: 4 }, new Date('2030-01-14T09:00:00Z'), fixedNow);
    expect(job.delay).toBe(0);
    expect(await job.getState()).toBe('waiting');
  });

  it('rejects an invalid date with a RangeError that shows the value, and adds nothing', async () => {
    const queue = reminders();
    await expect(enqueueAt(queue, 'task-reminder', { taskId: 5 }, 'next tuesday', fixedNow)).rejects.toThrow(RangeError);
    await expect(enqueueAt(queue, 'task-reminder', { taskId: 5 }, 'next tuesday', fixedNow)).rejects.toThrow(/next tuesday/);
    await expect(enqueueAt(queue, 'task-reminder', { taskId: 5 }, new Date('2030-02-30T25:00:00Z'), fixedNow)).rejects.toThrow(
      RangeError,
    );
    expect(await queue.count()).toBe(0);
  });
});
