import { request } from 'node:http';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createApp, parseId } from '../src/app/server.js';
import { LOG_TASK_JOB, logTask, taskJobId, TASKS_QUEUE, type LogTaskData } from '../src/app/task-jobs.js';
import { stripLocalPaths, withoutLocalPaths } from '../src/app/task-worker.js';
import { Cache, MemoryStore } from '../src/cache/index.js';
import { queueConnectionOptions } from '../src/redis/connection.js';
import { startEmbeddedRedis } from '../src/redis/embedded-server.js';
import { serve, useTestEnv, waitUntil } from './harness.js';

const env = useTestEnv();

async function startServer(queue: Queue<LogTaskData>): Promise<string> {
  return serve(env, createApp({ db: env.db, tasksQueue: queue, cache: new Cache({ store: new MemoryStore() }) }));
}

function tasksQueue(): Queue<LogTaskData> {
  return env.track(new Queue<LogTaskData>(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
}

/** GET with a chosen Host header (fetch does not let a caller set it, browsers and curl do). */
function getWithHost(base: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the demo app under bad input', () => {
  it.each(['0x10', '1e20', '99999999999999999999', '2147483648', '0', '-1', '1.5', ' 7', '007'])('answers 400 for the id %j', async (id) => {
    const base = await startServer(tasksQueue());
    for (const path of ['tasks', 'products']) {
      const response = await fetch(`${base}/${path}/${encodeURIComponent(id)}`);
      expect(response.status, `/${path}/${id}`).toBe(400);
    }
  });

  it('parses plain decimal ids up to PostgreSQL integer range', () => {
    expect([parseId('1'), parseId('2147483647'), parseId('16')]).toEqual([1, 2147483647, 16]);
    expect([parseId('0x10'), parseId('1e3'), parseId('2147483648')]).toEqual([undefined, undefined, undefined]);
  });

  it('says the body must be JSON when it is sent without Content-Type: application/json', async () => {
    const queue = tasksQueue();
    const response = await fetch(`${await startServer(queue)}/tasks`, { method: 'POST', body: 'title=Say hello' });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: string }).error).toMatch(/body must be JSON/);
    expect(await env.db.task.count()).toBe(0);
  });
});

describe('the demo app behind a browser', () => {
  it('refuses a Host that is not its own (DNS rebinding) and answers its own names', async () => {
    const base = await startServer(tasksQueue());
    const port = new URL(base).port;
    expect(await getWithHost(base, '/health', 'attacker.example')).toBe(403);
    expect(await getWithHost(base, '/health', `attacker.example:${port}`)).toBe(403);
    expect(await getWithHost(base, '/health', `localhost:${port}`)).toBe(200);
    expect(await getWithHost(base, '/health', `127.0.0.1:${port}`)).toBe(200);
  });

  it('sends the usual security headers and no X-Powered-By', async () => {
    const response = await fetch(`${await startServer(tasksQueue())}/health`);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});

describe('POST /tasks and the outbox', () => {
  it('adds the job with a fixed id, attempts and backoff, and empties the outbox', async () => {
    const queue = tasksQueue();
    const response = await fetch(`${await startServer(queue)}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Say hello' }),
    });
    expect(response.status).toBe(202);
    const { taskId, jobId } = (await response.json()) as { taskId: number; jobId: string };
    expect(jobId).toBe(`task-${taskId}`);
    const job = (await queue.getJob(jobId))!;
    expect(job.opts).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
    expect(await env.db.outboxJob.count()).toBe(0);
  });

  it('answers 503 at once when Redis is gone, keeps no task and no outbox row, and /health says which part is down', async () => {
    const redis = await startEmbeddedRedis();
    env.track({ close: () => redis.stop() });
    // No reconnecting, so that the queue can be closed after its Redis is gone.
    const queue = env.track(new Queue<LogTaskData>(TASKS_QUEUE, { connection: { ...queueConnectionOptions(redis.url), retryStrategy: () => null }, prefix: env.prefix }));
    queue.on('error', () => {});
    await queue.waitUntilReady();
    const base = await startServer(queue);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    await redis.stop();

    const started = performance.now();
    const response = await fetch(`${base}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' });
    expect(response.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2500);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as { error: string }).error).toMatch(/Redis\) is unavailable, so the task was not created/);
    expect(await env.db.task.count()).toBe(0);
    expect(await env.db.outboxJob.count()).toBe(0);

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, redis: { ok: false, error: expect.any(String) }, database: { ok: true } });
  });
});

describe('the demo job', () => {
  it('writes its log row once however many times it runs', async () => {
    const task = await env.db.task.create({ data: { title: 'Once' } });
    const first = await logTask({ id: 'task-1', data: { taskId: task.id } }, env.db);
    const again = await Promise.all([1, 2, 3].map(() => logTask({ id: 'task-1', data: { taskId: task.id } }, env.db)));
    expect(first).toMatchObject({ logged: true });
    expect(again.every((result) => !result.logged)).toBe(true);
    expect(await env.db.taskLog.count({ where: { taskId: task.id } })).toBe(1);
  });

  it('when it fails for good, GET /tasks/:id says so with a reason free of local paths, and a retry completes it', async () => {
    const queue = tasksQueue();
    const base = await startServer(queue);
    const events = env.track(new QueueEvents(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
    await events.waitUntilReady();
    // As POST /tasks does, with a backoff of milliseconds so the test runs in a moment.
    const { id: taskId } = await env.db.task.create({ data: { title: 'Flaky' } });
    const jobId = taskJobId(taskId);
    await queue.add(LOG_TASK_JOB, { taskId }, { attempts: 2, backoff: { type: 'fixed', delay: 1 }, jobId });
    // This worker fails every attempt, naming a file of this project in its error.
    const failing = new Worker<LogTaskData>(
      TASKS_QUEUE,
      withoutLocalPaths<LogTaskData, unknown, string>(async () => {
        throw new Error(`cannot open ${process.cwd()}/src/app/secret.ts`);
      }),
      { connection: env.connection, prefix: env.prefix },
    );
    await waitUntil(async () => (await queue.getJobState(jobId)) === 'failed', { timeoutMs: 10_000, message: 'the job to fail for good' });
    await failing.close();

    const shown = (await (await fetch(`${base}/tasks/${taskId}`)).json()) as { status: string; job: { state: string; failedReason: string; attemptsMade: number } };
    expect(shown.status).toBe('pending');
    expect(shown.job).toMatchObject({ state: 'failed', attemptsMade: 2 });
    expect(shown.job.failedReason).toBe('cannot open ./src/app/secret.ts');
    const failed = (await queue.getJob(jobId))!;
    expect((failed.stacktrace ?? []).join('\n')).not.toContain(process.cwd());

    await failed.retry('failed');
    env.track(new Worker<LogTaskData>(TASKS_QUEUE, (running) => logTask(running, env.db), { connection: env.connection, prefix: env.prefix }));
    await (await queue.getJob(jobId))!.waitUntilFinished(events, 5000);
    const after = (await (await fetch(`${base}/tasks/${taskId}`)).json()) as { status: string; logs: unknown[]; job: { state: string } };
    expect(after).toMatchObject({ status: 'done', job: { state: 'completed' } });
    expect(after.logs).toHaveLength(1);
  });

  it('names files relative to the project and the home folder as ~', () => {
    expect(stripLocalPaths('at f (/srv/app/src/x.ts:1:2) file:///srv/app/y.ts /home/ann/.npm/z', '/srv/app', '/home/ann')).toBe('at f (./src/x.ts:1:2) ./y.ts ~/.npm/z');
  });
});

