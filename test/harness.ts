/**
 * The one test harness every chapter and the toolkit's own tests use.
 *
 * Call {@link useTestEnv} at the top of a test file. Each file gets its own BullMQ key prefix on
 * the run's private Redis and its own copy of an empty, migrated database. After each test, what
 * the test passed to `track()` is closed, the file's Redis keys are deleted and the tables are
 * emptied, so tests never see each other's jobs or rows.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { createDatabase, type Database } from '../src/db/client.js';
import { workerConnectionOptions } from '../src/redis/connection.js';
import { Prisma } from '../src/generated/sqlite/client.js';

/** Anything with an async `close()`: Queue, Worker, QueueEvents, FlowProducer, http.Server adapters… */
export interface Closable {
  close(): Promise<unknown>;
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
  /** Registers something to close after the current test, and returns it. */
  track<T extends Closable>(resource: T): T;
}

/** Sets up Redis and database isolation for the calling test file. */
export function useTestEnv(): TestEnv {
  const prefix = `wbtest-${randomUUID().slice(0, 8)}`;
  const databaseFile = inject('templateDatabase').replace(/template\.db$/, `${prefix}.db`);
  const tracked: Closable[] = [];
  let db: Database | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    copyFileSync(inject('templateDatabase'), databaseFile);
    db = await createDatabase(`file:${databaseFile}`);
    redis = new Redis(workerConnectionOptions(inject('redisUrl')));
  });

  afterEach(async () => {
    // Newest first: a Worker is closed before the Queue it reads from.
    for (const resource of tracked.splice(0).reverse()) await resource.close();
    await deleteKeys(redis!, `${prefix}:*`);
    await emptyTables(db!);
  });

  afterAll(async () => {
    await db?.$disconnect();
    redis?.disconnect();
    rmSync(databaseFile, { force: true });
  });

  return {
    redisUrl: inject('redisUrl'),
    get connection() {
      return workerConnectionOptions(inject('redisUrl'));
    },
    prefix,
    get db() {
      if (!db) throw new Error('env.db is ready inside tests and hooks, not at import time');
      return db;
    },
    track(resource) {
      tracked.push(resource);
      return resource;
    },
  };
}

/**
 * Resolves once `check()` returns a truthy value, polling every 20 ms; rejects after `timeoutMs`
 * with `message`. Use it to wait for a job state or a row, never a fixed sleep.
 */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 5000, message = 'condition' }: { timeoutMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
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

async function emptyTables(db: Database): Promise<void> {
  // Models are declared parents first in schema.prisma, so the reverse order deletes children first.
  for (const model of Object.values(Prisma.ModelName).reverse()) {
    await db.$executeRawUnsafe(`DELETE FROM "${model}"`);
  }
  await db.$executeRawUnsafe(`DELETE FROM sqlite_sequence`);
}
