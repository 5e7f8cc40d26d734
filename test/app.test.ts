import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { ProductJson } from '../src/app/products.js';
import { createApp } from '../src/app/server.js';
import { shellWord, startUpMessage } from '../src/app/start-up-message.js';
import { logTask, TASKS_QUEUE, taskJobId, type LogTaskData } from '../src/app/task-jobs.js';
import { Cache, connectCacheRedis, MemoryStore, RedisStore } from '../src/cache/index.js';
import { serve, useTestEnv } from './harness.js';

const env = useTestEnv();

/** Starts the app on a free port and returns its base URL. The task routes never touch the cache. */
async function startServer(queue: Queue<LogTaskData>, cache = new Cache({ store: new MemoryStore() })): Promise<string> {
  return serve(env, createApp({ db: env.db, tasksQueue: queue, cache }));
}

/** The app as `npm start` runs it: a Redis cache on its own client, under this file's prefix so the harness deletes its keys. */
async function startProductServer(): Promise<{ base: string; cache: Cache; redis: Redis }> {
  const redis = await connectCacheRedis(env.redisUrl);
  env.track({ close: () => redis.quit() });
  const cache = new Cache({ store: new RedisStore(redis, `${env.prefix}:cache`) });
  const queue = env.track(new Queue<LogTaskData>(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
  return { base: await startServer(queue, cache), cache, redis };
}

/**
 * A revalidating GET as a browser sends it. Node's fetch adds `Cache-Control: no-cache` to any
 * request carrying If-None-Match (the fetch standard, for clients without an HTTP cache), and
 * `req.fresh` then rightly says "not fresh"; a browser revalidating its copy sends `max-age=0`.
 */
function getIfNoneMatch(url: string, etag: string): Promise<Response> {
  return fetch(url, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
}

async function createProduct() {
  const category = await env.db.category.create({ data: { name: 'Tea' } });
  return env.db.product.create({ data: { name: 'Sencha', priceCents: 1200, categoryId: category.id } });
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

describe('GET /products/:id', () => {
  it('answers the product as JSON with a weak ETag, Last-Modified and Cache-Control from updatedAt', async () => {
    const product = await createProduct();
    const { base } = await startProductServer();

    const response = await fetch(`${base}/products/${product.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^W\/"/);
    expect(response.headers.get('last-modified')).toBe(product.updatedAt.toUTCString());
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await response.json()).toEqual({
      id: product.id,
      name: 'Sencha',
      priceCents: 1200,
      category: { id: product.categoryId, name: 'Tea' },
      updatedAt: product.updatedAt.toISOString(),
    } satisfies ProductJson);
  });

  it('answers 304 with no body to a current If-None-Match, without reading the cache', async () => {
    const product = await createProduct();
    const { base, cache } = await startProductServer();
    const etag = (await fetch(`${base}/products/${product.id}`)).headers.get('etag')!;
    const before = cache.stats();

    const response = await getIfNoneMatch(`${base}/products/${product.id}`, etag);
    expect(response.status).toBe(304);
    expect(await response.text()).toBe('');
    expect(response.headers.get('etag')).toBe(etag);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    // The 304 is decided from updatedAt alone: no cache read, no product load.
    expect(cache.stats()).toEqual(before);
  });

  it('answers 200 with a new ETag and the new data once the product is updated, reusing its cache key', async () => {
    const product = await createProduct();
    const { base, redis } = await startProductServer();
    const etag = (await fetch(`${base}/products/${product.id}`)).headers.get('etag')!;

    const updated = await env.db.product.update({ where: { id: product.id }, data: { name: 'Gyokuro', priceCents: 2400 } });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(product.updatedAt.getTime());

    const response = await getIfNoneMatch(`${base}/products/${product.id}`, etag);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).not.toBe(etag);
    expect(response.headers.get('last-modified')).toBe(updated.updatedAt.toUTCString());
    expect(await response.json()).toMatchObject({ name: 'Gyokuro', priceCents: 2400, updatedAt: updated.updatedAt.toISOString() });
    // A recyclable key: the new version overwrote the old entry rather than adding a second key.
    expect(await redis.keys(`${env.prefix}:cache:*`)).toEqual([`${env.prefix}:cache:products/${product.id}`]);
  });

  it('serves the second request for the same version from the cache', async () => {
    const product = await createProduct();
    const { base, cache } = await startProductServer();

    const first = await fetch(`${base}/products/${product.id}`);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 1, writes: 1 });
    const second = await fetch(`${base}/products/${product.id}`);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, writes: 1 });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(await first.json());
  });

  it('answers 404 for a product that does not exist', async () => {
    const { base, cache } = await startProductServer();
    const response = await fetch(`${base}/products/999`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.any(String) });
    expect(response.headers.get('cache-control')).toBeNull();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, writes: 0 });
  });

  it.each(['abc', '0', '-1', '1.5'])('answers 400 for the malformed id %j', async (id) => {
    const { base } = await startProductServer();
    const response = await fetch(`${base}/products/${id}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });
});

/** Runs `script` in bash without blocking this process, whose server the script may be calling. */
async function bash(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-c', script], { timeout: 10_000 });
  return stdout;
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe("npm start's start-up message", () => {
  const login = { user: 'admin', password: "pa'ss word$1", generated: false };
  const info = { redisUrl: 'redis://127.0.0.1:6390', admin: login, viewer: { ...login, user: 'viewer' }, shutdownTimeoutSeconds: 25 };
  /** The lines the message offers as commands: indented by four spaces. */
  const commands = (lines: string[]) => lines.filter((line) => line.startsWith('    ')).map((line) => line.slice(4));

  // Needs curl, as a learner's terminal does; a fresh Debian lacks it, and then this is skipped.
  it.skipIf(!hasCurl)('gives task commands that, pasted into bash, create a task and then show that task and its job', async () => {
    const queue = env.track(new Queue<LogTaskData>(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));
    const base = await startServer(queue);
    const taskLines = commands(startUpMessage({ base, ...info })).filter((command) => command.includes('task'));
    expect(taskLines.length).toBeGreaterThanOrEqual(3);

    // As in prisma/dev.db, a task is there already: the commands must not show it instead.
    const seed = await env.db.task.create({ data: { title: 'Seed task' } });

    const output = await bash(taskLines.join('\n'));
    const created = await env.db.task.findMany({ where: { id: { not: seed.id } } });
    expect(created).toHaveLength(1);
    const id = created[0]!.id;
    expect(output).toContain(`{"taskId":${id},"jobId":"${taskJobId(id)}"}`);
    // The GET follows the new task and its job, not a seed task.
    expect(output).toContain(`"id":${id},"title":"Say hello"`);
    expect(output).not.toContain('Seed task');
    expect(output).toContain(`"job":{"id":"${taskJobId(id)}","state":"waiting"`);
    expect(output).toContain(`${base}/admin/queues/queue/${TASKS_QUEUE}/${taskJobId(id)}\n`);
  });

  it("gives a worker command that joins the app's Redis and database", () => {
    const lines = commands(startUpMessage({ base: 'http://127.0.0.1:3000', ...info, databaseUrl: 'postgresql://u:p@db/x?schema=a&b' }));
    expect(lines).toContain("REDIS_URL=redis://127.0.0.1:6390 DATABASE_URL='postgresql://u:p@db/x?schema=a&b' npm run worker");
    const withoutDatabase = commands(startUpMessage({ base: 'http://127.0.0.1:3000', ...info }));
    expect(withoutDatabase).toContain('REDIS_URL=redis://127.0.0.1:6390 npm run worker');
  });

  it('quotes what it prints so that bash reads back exactly the value', async () => {
    const values = ["pa'ss word$1", 'redis://:p@ss@127.0.0.1:6379/0', 'W/"product-1-2"', 'a&b;c|d`e`\\f*'];
    const output = await bash(values.map((value) => `printf '%s\\n' ${shellWord(value)}`).join('\n'));
    expect(output.split('\n').slice(0, -1)).toEqual(values);
  });
});

