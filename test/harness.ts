/**
 * The one test harness every chapter and the toolkit's own tests use.
 *
 * Call {@link useTestEnv} at the top of a test file. Each file gets its own BullMQ key prefix on
 * the run's private Redis and its own copy of an empty, migrated database. After each test, what
 * the test passed to `track()` is closed, the file's Redis keys are deleted and the tables are
 * emptied, so tests never see each other's jobs or rows.
 *
 * The database is SQLite unless asked otherwise: `useTestEnv({ database: 'postgres' })` (inside a
 * `describe.skipIf(postgresSkipReason())`) gives the file its own database on the run's
 * PostgreSQL, copied from a migrated template. Either client emits its SQL as `query` events, so
 * the query-counting helper (src/queries) can watch `env.db`.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { createDatabase, type Database } from '../src/db/client.js';
import { Prisma } from '../src/generated/sqlite/client.js';
import { queryLogOptions } from '../src/queries/watch.js';
import { workerConnectionOptions } from '../src/redis/connection.js';

/** Anything with an async `close()`: Queue, Worker, QueueEvents, FlowProducer, http.Server adapters… */
export interface Closable {
  close(): Promise<unknown>;
}

/** The databases a test can run on. */
export type DatabaseKind = 'sqlite' | 'postgres';

/** Every {@link DatabaseKind}, for `describe.each`-style loops over both databases. */
export const DATABASE_KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres'];

/** Options of {@link useTestEnv}. */
export interface TestEnvOptions {
  /** Which database `env.db` is; SQLite when not given. */
  database?: DatabaseKind;
}

/**
 * Why this run has no PostgreSQL (no server and no binaries, outside CI), or `undefined` when it
 * has one. Use it as `describe.skipIf(postgresSkipReason())`: vitest then lists the skipped tests.
 */
export function postgresSkipReason(): string | undefined {
  return inject('postgresUrl') ? undefined : inject('postgresSkipReason') || 'no PostgreSQL in this run';
}

/** What a test file gets from {@link useTestEnv}. */
export interface TestEnv {
  /** URL of the run's Redis. */
  readonly redisUrl: string;
  /** Pass as `connection` to Queue, Worker and QueueEvents (BullMQ opens and closes its own clients). */
  readonly connection: RedisOptions;
  /** Pass as `prefix` to Queue, Worker and QueueEvents: keeps this file's keys apart. */
  readonly prefix: string;
  /** A Prisma client on this file's own database, emptied after each test. */
  readonly db: Database;
  /** Which database `db` talks to. */
  readonly database: DatabaseKind;
  /** The URL of this file's database, to open a second client on it (e.g. with other options). */
  readonly databaseUrl: string;
  /** Registers something to close after the current test, and returns it. */
  track<T extends Closable>(resource: T): T;
}

/** Sets up Redis and database isolation for the calling test file (or `describe` block). */
export function useTestEnv(options: TestEnvOptions = {}): TestEnv {
  const prefix = `wbtest-${randomUUID().slice(0, 8)}`;
  const database = options.database ?? 'sqlite';
  const store = database === 'postgres' ? postgresDatabase(prefix) : sqliteDatabase(prefix);
  const tracked: Closable[] = [];
  let db: Database | undefined;
  let databaseUrl: string | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    databaseUrl = await store.create();
    db = await createDatabase(databaseUrl, queryLogOptions);
    redis = new Redis(workerConnectionOptions(inject('redisUrl')));
  });

  afterEach(async () => {
    // Newest first: a Worker is closed before the Queue it reads from.
    for (const resource of tracked.splice(0).reverse()) await resource.close();
    await deleteKeys(redis!, `${prefix}:*`);
    if (db) await store.empty(db);
  });

  afterAll(async () => {
    await db?.$disconnect();
    redis?.disconnect();
    await store.drop();
  });

  return {
    redisUrl: inject('redisUrl'),
    get connection() {
      return workerConnectionOptions(inject('redisUrl'));
    },
    prefix,
    database,
    get db() {
      if (!db) throw new Error('env.db is ready inside tests and hooks, not at import time');
      return db;
    },
    get databaseUrl() {
      if (!databaseUrl) throw new Error('env.databaseUrl is ready inside tests and hooks, not at import time');
      return databaseUrl;
    },
    track(resource) {
      tracked.push(resource);
      return resource;
    },
  };
}

/**
 * Makes SQLite return the rows of any query without an `ORDER BY` in reverse order until the end
 * of the current test (`PRAGMA reverse_unordered_selects`), so that rows come back in id order
 * only when the code asks for it. Without it, a small table comes back in insertion order by
 * accident, and a missing `orderBy` passes. (PostgreSQL promises no order either; nothing to do.)
 */
export async function reverseUnorderedReads(env: TestEnv): Promise<void> {
  if (env.database !== 'sqlite') return;
  await env.db.$executeRawUnsafe('PRAGMA reverse_unordered_selects = ON');
  env.track({ close: () => env.db.$executeRawUnsafe('PRAGMA reverse_unordered_selects = OFF') });
}

/**
 * PostgreSQL only: calls `start()` while a transaction of the test's own holds `table` in SHARE
 * mode, which lets reads through and makes every write wait, and commits it once `waiters`
 * sessions wait for a lock. So every run has read (and checked) before any of them can write:
 * the interleaving in which a "read, check, then write" loses its race, every time, where runs
 * merely started together overlap only sometimes. Resolves with what `start()` resolves to.
 */
export async function overlapWrites<T>(env: TestEnv, table: string, waiters: number, start: () => Promise<T>): Promise<T> {
  if (env.database !== 'postgres') throw new Error('overlapWrites needs PostgreSQL: SQLite runs one write at a time');
  const { default: pg } = await import('pg');
  const holder = new pg.Client({ connectionString: env.databaseUrl, connectionTimeoutMillis: 5000 });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE "${table}" IN SHARE MODE`);
    const runs = start();
    // Until the lock is let go, a run that fails early must not count as unhandled.
    runs.catch(() => {});
    const waitingOnLocks = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    await waitUntil(async () => ((await holder.query<{ n: number }>(waitingOnLocks)).rows[0]?.n ?? 0) >= waiters, {
      message: `${waiters} runs waiting to write to ${table} (each run must write to it itself, in the database)`,
    });
    await holder.query('COMMIT');
    return await runs;
  } finally {
    await holder.end();
  }
}

/**
 * Serves `app` (an express app, or any request listener) on a free loopback port until the end of
 * the current test, and resolves with its base URL, `http://127.0.0.1:<port>`.
 */
export async function serve(env: TestEnv, app: RequestListener): Promise<string> {
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A response as {@link httpRequest} reads it. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, as UTF-8 text. */
  text: string;
}

/**
 * Sends one request through node:http, with exactly the headers given, and reads the whole
 * answer. `fetch()` would not do for conditional GETs: it adds `Cache-Control: no-cache` to any
 * request that carries `If-None-Match` or `If-Modified-Since` (the Fetch standard's rule for
 * conditional requests made by hand), which is never fresh, so it never gets a 304. Nor does it
 * let a caller set `Host`. A `body` is sent as JSON.
 */
export function httpRequest(
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: payload === undefined ? headers : { ...headers, 'Content-Type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Resolves once `check()` returns a truthy value, polling every 20 ms; rejects after `timeoutMs`
 * with `message`. Use it to wait for a job state or a row, never a fixed sleep. A check that never
 * returns (a Redis command waiting for a server that is gone) fails at the deadline too, rather
 * than hanging the test.
 */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 5000, message = 'condition' }: { timeoutMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await beforeDeadline(check(), deadline, `Timed out after ${timeoutMs} ms waiting for ${message} (its last check never returned)`);
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `value`, unless `deadline` (epoch ms) passes first: then rejects with `message`. */
async function beforeDeadline<T>(value: T | Promise<T>, deadline: number, message: string): Promise<T> {
  if (!(value instanceof Promise)) return value;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, deadline - Date.now()) + 50);
  });
  try {
    return await Promise.race([value, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** One test file's private database: made before its tests, emptied after each, dropped at the end. */
interface FileDatabase {
  /** Creates the database; resolves to its URL. */
  create(): Promise<string>;
  /** Deletes every row and restarts the ids. */
  empty(db: Database): Promise<void>;
  /** Removes the database. */
  drop(): Promise<void>;
}

const models = Object.values(Prisma.ModelName);

function sqliteDatabase(prefix: string): FileDatabase {
  const file = inject('templateDatabase').replace(/template\.db$/, `${prefix}.db`);
  return {
    async create() {
      copyFileSync(inject('templateDatabase'), file);
      return `file:${file}`;
    },
    async empty(db) {
      // Most tests of a chapter write few rows or none: one query to see, instead of a DELETE per table.
      const counts = [...models, 'sqlite_sequence'].map((table) => `(SELECT count(*) FROM "${table}")`).join(' + ');
      const [{ rows }] = await db.$queryRawUnsafe<[{ rows: bigint | number }]>(`SELECT ${counts} AS "rows"`);
      if (Number(rows) === 0) return;
      // Models are declared parents first in schema.prisma, so the reverse order deletes children first.
      for (const model of [...models].reverse()) {
        await db.$executeRawUnsafe(`DELETE FROM "${model}"`);
      }
      await db.$executeRawUnsafe(`DELETE FROM sqlite_sequence`);
    },
    async drop() {
      rmSync(file, { force: true });
    },
  };
}

function postgresDatabase(prefix: string): FileDatabase {
  const name = prefix.replace(/-/g, '_');
  let created = false;
  const admin = async (sql: string) => {
    // Loaded here, not at the top: most files never use PostgreSQL.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: inject('postgresUrl'), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    async create() {
      const reason = postgresSkipReason();
      if (reason) throw new Error(`useTestEnv({ database: 'postgres' }) in a run without PostgreSQL: ${reason}`);
      await admin(`CREATE DATABASE "${name}" TEMPLATE "${inject('postgresTemplate')}"`);
      created = true;
      const url = new URL(inject('postgresUrl'));
      url.pathname = `/${name}`;
      return url.toString();
    },
    async empty(db) {
      const tables = Object.values(Prisma.ModelName).map((model) => `"${model}"`);
      await db.$executeRawUnsafe(`TRUNCATE TABLE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
    },
    async drop() {
      if (created) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
