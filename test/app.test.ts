import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app/server.js';
import { logTask, TASKS_QUEUE, type LogTaskData } from '../src/app/task-jobs.js';
import { useTestEnv } from './harness.js';

const env = useTestEnv();

/** Starts the app on a free port and returns its base URL. */
async function startServer(queue: Queue<LogTaskData>): Promise<string> {
  const server = createApp({ db: env.db, tasksQueue: queue }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function postTask(base: string, body: string) {
  return fetch(`${base}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

describe('the demo app', () => {
  it('answers 202 with the job id at once, and the worker then writes the log row', async () => {
    const queue = env.track(new Queue<LogTaskData>(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
    const base = await startServer(queue);

    const response = await postTask(base, JSON.stringify({ title: 'Say hello' }));
    expect(response.status).toBe(202);
    const { taskId, jobId } = (await response.json()) as { taskId: number; jobId: string };
    expect(await queue.getJobState(jobId)).toBe('waiting');

    const events = env.track(new QueueEvents(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();
    env.track(new Worker<LogTaskData>(TASKS_QUEUE, (job) => logTask(job, env.db), { connection: env.connection, prefix: env.prefix }));
    await (await queue.getJob(jobId))!.waitUntilFinished(events, 5000);

    const task = (await (await fetch(`${base}/tasks/${taskId}`)).json()) as { status: string; logs: { message: string }[] };
    expect(task.status).toBe('done');
    expect(task.logs).toHaveLength(1);
  });

  it.each([
    ['no title', '{}', /title must be a non-empty string/],
    ['a blank title', '{"title":"  "}', /title must be a non-empty string/],
    ['malformed JSON', '{"title":', /JSON/],
  ])('answers 400 with a readable error for %s, and enqueues nothing', async (_case, body, message) => {
    const queue = env.track(new Queue<LogTaskData>(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
    const response = await postTask(await startServer(queue), body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
    expect(await queue.count()).toBe(0);
  });

  it('answers 404 for a task that does not exist', async () => {
    const queue = env.track(new Queue<LogTaskData>(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
    const response = await fetch(`${await startServer(queue)}/tasks/999`);
    expect(response.status).toBe(404);
  });

  it('finishes a job whose task was deleted without failing it', async () => {
    await expect(logTask({ id: '1', data: { taskId: 12345 } }, env.db)).resolves.toEqual({
      logged: false,
      reason: 'task 12345 no longer exists',
    });
  });
});
