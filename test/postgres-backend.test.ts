import { createPostgresBackend, Queue as RedisQueue, runMigrations, SchemaMigrationRequiredError, withBackend } from 'bullmq';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOG_TASK_JOB, logTask, TASKS_QUEUE, type LogTaskData, type LogTaskResult } from '../src/app/task-jobs.js';
import { postgresSkipReason, useTestEnv, waitUntil } from './harness.js';

// Queue, Worker, … bound to PostgreSQL: the same API, no Redis behind it.
const postgres = withBackend(createPostgresBackend);

describe.skipIf(postgresSkipReason())('BullMQ on PostgreSQL (Solid Queue’s idea)', () => {
  const env = useTestEnv({ database: 'postgres' });
  const connection = () => ({ connectionString: env.databaseUrl, schema: 'bullmq' });

  beforeAll(async () => {
    // Explicit, like `bin/rails solid_queue:install` + db:migrate: BullMQ does not migrate behind your back.
    const client = new pg.Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      await runMigrations(client, 'bullmq');
    } finally {
      await client.end();
    }
  });

  it('runs the chapter 2 job with its jobs in the same PostgreSQL as the app’s rows', async () => {
    const queue = env.track(new postgres.Queue<LogTaskData, LogTaskResult>(TASKS_QUEUE, { connection: connection() }));
    env.track(new postgres.Worker<LogTaskData, LogTaskResult>(TASKS_QUEUE, (job) => logTask(job, env.db), { connection: connection() }));
    const task = await env.db.task.create({ data: { title: 'Ship the PostgreSQL chapter' } });

    const job = await queue.add(LOG_TASK_JOB, { taskId: task.id });
    await waitUntil(async () => (await queue.getJobState(job.id!)) === 'completed', { message: 'the job to complete', timeoutMs: 10_000 });

    expect((await queue.getJob(job.id!))?.returnvalue).toMatchObject({ logged: true });
    expect(await env.db.taskLog.count({ where: { taskId: task.id } })).toBe(1);
    expect((await env.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('done');
    // The jobs are rows in the bullmq schema, next to the app's tables.
    const [row] = await env.db.$queryRawUnsafe<{ tables: number }[]>(
      "SELECT count(*)::int AS tables FROM information_schema.tables WHERE table_schema = 'bullmq'",
    );
    expect(row?.tables).toBeGreaterThan(0);
  });

  it('is invisible to anything that reads Redis keys, such as a Redis-backed Queue or the dashboard', async () => {
    const queue = env.track(new postgres.Queue(TASKS_QUEUE, { connection: connection() }));
    await queue.add(LOG_TASK_JOB, { taskId: 1 });
    const sameNameOnRedis = env.track(new RedisQueue(TASKS_QUEUE, { connection: env.connection, prefix: env.prefix }));

    expect(await queue.getWaitingCount()).toBe(1);
    expect(await sameNameOnRedis.getWaitingCount()).toBe(0);
  });

  it('refuses to run on a schema that was never migrated, with an error that says so', async () => {
    const queue = env.track(new postgres.Queue(TASKS_QUEUE, { connection: { connectionString: env.databaseUrl, schema: 'never_migrated' } }));
    await expect(queue.add(LOG_TASK_JOB, { taskId: 1 })).rejects.toThrow(SchemaMigrationRequiredError);
  });
});
