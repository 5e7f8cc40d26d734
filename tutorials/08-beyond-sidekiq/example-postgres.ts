/**
 * Chapter 8: Solid Queue's idea in BullMQ. The chapter 2 job runs with its jobs in PostgreSQL,
 * next to the app's tables, and no Redis at all; then the same no-op jobs on PostgreSQL and on
 * Redis, for throughput.
 *
 *   npx tsx tutorials/08-beyond-sidekiq/example-postgres.ts
 *
 * Uses DATABASE_URL when it is a postgres:// URL (its user must be allowed to create databases);
 * otherwise starts a private PostgreSQL from Debian's binaries. Without either it says how to
 * install them and exits 0, except under CI, where that is an error.
 */
import { Queue as RedisQueue, Worker as RedisWorker, createPostgresBackend, runMigrations, withBackend } from 'bullmq';
import pg from 'pg';
import { LOG_TASK_JOB, logTask, TASKS_QUEUE, type LogTaskData, type LogTaskResult } from '../../src/app/task-jobs.js';
import { createDatabase, isPostgresUrl } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { POSTGRES_NOT_INSTALLED, startPrivatePostgres, type PrivatePostgres } from '../../src/db/private-postgres.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { startEmbeddedRedis } from '../../src/redis/embedded-server.js';

const NOOP_JOBS = 2000;
const postgres = withBackend(createPostgresBackend);

let server: PrivatePostgres | undefined;
let adminUrl = process.env.DATABASE_URL?.trim();
if (!adminUrl || !isPostgresUrl(adminUrl)) {
  try {
    server = await startPrivatePostgres();
    adminUrl = server.url;
  } catch (error) {
    if ((error as Error).message !== POSTGRES_NOT_INSTALLED || process.env.CI) throw error;
    console.log(`Skipped: ${POSTGRES_NOT_INSTALLED}`);
    process.exit(0);
  }
}

// A database of its own for this run: the app's tables (Prisma migrations) and BullMQ's schema.
const name = `workbook_example_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const databaseUrl = url.toString();

try {
  await applyMigrations(databaseUrl);
  const db = await createDatabase(databaseUrl);
  const migrator = new pg.Client({ connectionString: databaseUrl });
  await migrator.connect();
  // Explicit, like installing Solid Queue's tables: BullMQ does not migrate unless told to.
  console.log(`BullMQ schema "bullmq" migrated to version ${await runMigrations(migrator, 'bullmq')}`);
  await migrator.end();
  const connection = { connectionString: databaseUrl, schema: 'bullmq' };

  try {
    console.log('\nThe chapter 2 job, with PostgreSQL as the only store:');
    const queue = new postgres.Queue<LogTaskData, LogTaskResult>(TASKS_QUEUE, { connection });
    const worker = new postgres.Worker<LogTaskData, LogTaskResult>(TASKS_QUEUE, (job) => logTask(job, db), { connection });
    const task = await db.task.create({ data: { title: 'Write the PostgreSQL section' } });
    const job = await queue.add(LOG_TASK_JOB, { taskId: task.id });
    while ((await queue.getJobState(job.id!)) !== 'completed') await new Promise((resolve) => setTimeout(resolve, 20));
    const log = await db.taskLog.findFirstOrThrow({ where: { taskId: task.id } });
    console.log(`   job #${job.id} completed: TaskLog #${log.id} "${log.message}"`);
    const tables = await db.$queryRawUnsafe<{ table_name: string }[]>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'bullmq' ORDER BY 1",
    );
    console.log(`   the jobs are rows in bullmq.${tables.map((t) => t.table_name).join(', bullmq.')}`);
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();

    console.log(`\n${NOOP_JOBS} no-op jobs, addBulk then one Worker at concurrency 10:`);
    const pgRates = await measure(
      () => new postgres.Queue('noop', { connection }),
      (processor) => new postgres.Worker('noop', processor, { connection, concurrency: 10 }),
    );
    const redis = await startEmbeddedRedis();
    const redisConnection = workerConnectionOptions(redis.url);
    const redisRates = await measure(
      () => new RedisQueue('noop', { connection: redisConnection }),
      (processor) => new RedisWorker('noop', processor, { connection: redisConnection, concurrency: 10 }),
    );
    await redis.stop();
    const row = (label: string, [add, run]: number[]) =>
      console.log(`   ${label.padEnd(11)} enqueue ${Math.round(add!).toLocaleString('en').padStart(7)} jobs/s   process ${Math.round(run!).toLocaleString('en').padStart(7)} jobs/s`);
    row('PostgreSQL', pgRates);
    row('Redis', redisRates);
    console.log(`   Redis/PostgreSQL: enqueue ${(redisRates[0]! / pgRates[0]!).toFixed(1)}x, processing ${(redisRates[1]! / pgRates[1]!).toFixed(1)}x (one shared machine; figures move between runs)`);
  } finally {
    await db.$disconnect();
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await server?.stop();
}

interface Closable {
  close(): Promise<void>;
}

/** Enqueue and processing rates (jobs per second) of `NOOP_JOBS` no-op jobs. */
async function measure(
  makeQueue: () => Closable & { addBulk(jobs: { name: string; data: object }[]): Promise<unknown>; obliterate(opts: { force: boolean }): Promise<void> },
  makeWorker: (processor: () => Promise<void>) => Closable & { on(event: 'completed', listener: () => void): unknown },
): Promise<number[]> {
  const queue = makeQueue();
  const jobs = Array.from({ length: NOOP_JOBS }, (_, index) => ({ name: 'noop', data: { index } }));
  let started = performance.now();
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  const enqueue = NOOP_JOBS / ((performance.now() - started) / 1000);
  let done = 0;
  let first = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = makeWorker(async () => {
      first ||= performance.now();
    });
    worker.on('completed', () => {
      if (++done === NOOP_JOBS) resolve(worker.close());
    });
  });
  started = performance.now();
  await finished;
  const processing = NOOP_JOBS / ((performance.now() - (first || started)) / 1000);
  await queue.obliterate({ force: true });
  await queue.close();
  return [enqueue, processing];
}
