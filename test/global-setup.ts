/**
 * Runs once per `vitest` run and project: one Redis and one migrated template database for every
 * test file, and for the toolkit's tests a PostgreSQL server too.
 *
 * PostgreSQL: `DATABASE_URL=postgres://…` names a server to use (its user must be allowed to
 * CREATE DATABASE). Without it, a private server is started from Debian's binaries (`initdb`,
 * `postgres` on PATH or under /usr/lib/postgresql/<version>/bin) on a free loopback port with a
 * throwaway data folder, and stopped afterwards. With neither, the PostgreSQL variants of the
 * tests are skipped with a message, except under CI=true, where that is an error.
 *
 * The exercises run on SQLite, and on PostgreSQL too where a race is the lesson (SQLite serialises
 * writes, so it hides races PostgreSQL lets happen). Starting PostgreSQL costs a learner seconds
 * per run, so an exercise run starts it only when asked: `WORKBOOK_POSTGRES=1`, a
 * `DATABASE_URL=postgres://…`, or CI=true (`npm run verify` always asks). Otherwise the PostgreSQL
 * variants are skipped, and the run says how to include them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.js';
import { isPostgresUrl } from '../src/db/url.js';
import { applyMigrations, redact } from '../src/db/migrate.js';
import { cleanStaleFolders, guardFolder, TEMP_PREFIX } from '../src/process/orphan-guard.js';
import { acquireRedis } from '../src/redis/redis-url.js';
import { staleClientReason } from '../scripts/prisma-schemas.js';
import { recordSetupFailure } from './setup-failure.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis every test file shares, each under its own key prefix. */
    redisUrl: string;
    /** A migrated, empty SQLite file that each test file copies. */
    templateDatabase: string;
    /** URL of the run's PostgreSQL server (any database on it), or '' when there is none. */
    postgresUrl: string;
    /** A migrated, empty PostgreSQL database that each test file copies (`CREATE DATABASE … TEMPLATE`). */
    postgresTemplate: string;
    /** Why there is no PostgreSQL in this run, when `postgresUrl` is ''. */
    postgresSkipReason: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    return await startSharedServers(project);
  } catch (error) {
    recordSetupFailure(error);
    throw error;
  }
}

async function startSharedServers(project: TestProject): Promise<() => Promise<void>> {
  // A client older than the schema fails deep inside some test ("Unknown argument `stock`"): say so first.
  const stale = staleClientReason();
  if (stale) throw new Error(stale);
  // What runs that were SIGKILLed left behind (their servers, their folders) goes first.
  cleanStaleFolders();
  const redis = await acquireRedis(loadConfig().redisUrl);
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}test-db-`));
  const dirGuard = guardFolder(dir, { remove: true });
  const templateDatabase = join(dir, 'template.db');
  await applyMigrations(`file:${templateDatabase}`);

  const wantsPostgres = project.name !== 'exercises' || exercisesWantPostgres();
  let postgres: PostgresServer | undefined;
  try {
    postgres = wantsPostgres ? await acquirePostgres() : undefined;
  } catch (error) {
    // Stop what is already running, or the run cannot exit (vitest waits 10 s, then gives up).
    await redis.release();
    rmSync(dir, { recursive: true, force: true });
    dirGuard.dispose();
    throw error;
  }

  project.provide('redisUrl', redis.url);
  project.provide('templateDatabase', templateDatabase);
  project.provide('postgresUrl', postgres?.url ?? '');
  project.provide('postgresTemplate', postgres?.template ?? '');
  project.provide(
    'postgresSkipReason',
    postgres ? '' : wantsPostgres ? noPostgresReason : exercisePostgresHint,
  );
  return async () => {
    await postgres?.release();
    await redis.release();
    rmSync(dir, { recursive: true, force: true });
    dirGuard.dispose();
  };
}

/** Whether this exercise run includes the PostgreSQL variants of the race tests. */
function exercisesWantPostgres(): boolean {
  const given = process.env.DATABASE_URL?.trim();
  return process.env.WORKBOOK_POSTGRES === '1' || Boolean(process.env.CI) || Boolean(given && isPostgresUrl(given));
}

const exercisePostgresHint =
  'PostgreSQL variants skipped to keep this run fast; run them with WORKBOOK_POSTGRES=1 npm test -- chapterN ' +
  '(needs PostgreSQL installed; CI and npm run verify always run them)';

const noPostgresReason =
  'PostgreSQL variants skipped: no DATABASE_URL=postgres://… and no initdb on PATH or under /usr/lib/postgresql/*/bin ' +
  '(Debian/Ubuntu: apt-get install postgresql)';

interface PostgresServer {
  /** Admin URL (database `postgres`). */
  url: string;
  /** Name of the migrated template database. */
  template: string;
  release(): Promise<void>;
}

/** The PostgreSQL server for this run, or `undefined` (with a printed reason) when there is none. */
async function acquirePostgres(): Promise<PostgresServer | undefined> {
  // Loaded only when a run uses PostgreSQL: a learner's exercise run should not pay for it.
  const { findPostgresBinaries, startPrivatePostgres } = await import('../src/db/private-postgres.js');
  const given = process.env.DATABASE_URL?.trim();
  if (given && isPostgresUrl(given)) return withTemplate(given, async () => {});
  if (!findPostgresBinaries()) {
    if (process.env.CI) throw new Error(`CI is set, so the PostgreSQL tests must run, but: ${noPostgresReason}`);
    console.warn(`\n${noPostgresReason}\n`);
    return undefined;
  }
  const server = await startPrivatePostgres();
  return withTemplate(server.url, server.stop);
}

/** Creates the migrated template database on `url`'s server; `release` drops it, then calls `stop`. */
async function withTemplate(url: string, stop: () => Promise<void>): Promise<PostgresServer> {
  const template = `workbook_template_${randomUUID().slice(0, 8)}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${template}"`);
  } catch (error) {
    await stop();
    throw new Error(`Cannot create a test database on PostgreSQL at ${redact(url)}: ${(error as Error).message}`);
  } finally {
    await admin.end().catch(() => {});
  }
  await applyMigrations(databaseUrl(url, template));
  return {
    url,
    template,
    async release() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
      await client.end();
      await stop();
    },
  };
}

/** `url` pointing at database `name` on the same server. */
function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}


