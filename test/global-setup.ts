/**
 * Runs once per `vitest` run and project: one Redis and one migrated template database for every
 * test file, and for the toolkit's tests a PostgreSQL server too.
 *
 * PostgreSQL: `DATABASE_URL=postgres://…` names a server to use (its user must be allowed to
 * CREATE DATABASE). Without it, a private server is started from Debian's binaries (`initdb`,
 * `postgres` on PATH or under /usr/lib/postgresql/<version>/bin) on a free loopback port with a
 * throwaway data folder, and stopped afterwards. With neither, the PostgreSQL variants of the
 * tests are skipped with a message, except under CI=true, where that is an error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.js';
import { isPostgresUrl } from '../src/db/client.js';
import { applyMigrations, redact } from '../src/db/migrate.js';
import { findPostgresBinaries } from '../src/db/private-postgres.js';
import { cleanStaleFolders, guardChild, TEMP_PREFIX, writeOwner } from '../src/process/orphan-guard.js';
import { freePort } from '../src/process/free-port.js';
import { acquireRedis } from '../src/redis/redis-url.js';

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
  // What runs that were SIGKILLed left behind (their servers, their folders) goes first.
  cleanStaleFolders();
  const redis = await acquireRedis(loadConfig().redisUrl);
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}test-db-`));
  writeOwner(dir, { remove: true });
  const dirGuard = guardChild({ dir });
  const templateDatabase = join(dir, 'template.db');
  await applyMigrations(`file:${templateDatabase}`);

  // The exercises run on SQLite; only the toolkit's tests pay for PostgreSQL's start-up.
  let postgres: PostgresServer | undefined;
  try {
    postgres = project.name === 'exercises' ? undefined : await acquirePostgres();
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
    postgres ? '' : project.name === 'exercises' ? 'the exercises run on SQLite only' : noPostgresReason,
  );
  return async () => {
    await postgres?.release();
    await redis.release();
    rmSync(dir, { recursive: true, force: true });
    dirGuard.dispose();
  };
}

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
  const given = process.env.DATABASE_URL?.trim();
  if (given && isPostgresUrl(given)) return withTemplate(given, async () => {});
  const binaries = findPostgresBinaries();
  if (!binaries) {
    if (process.env.CI) throw new Error(`CI is set, so the PostgreSQL tests must run, but: ${noPostgresReason}`);
    console.warn(`\n${noPostgresReason}\n`);
    return undefined;
  }
  const server = await startPostgres(binaries);
  return withTemplate(server.url, server.stop);
}

/** Creates the migrated template database on `url`'s server; `release` drops it, then calls `stop`. */
async function withTemplate(url: string, stop: () => Promise<void>): Promise<PostgresServer> {
  const template = `workbook_template_${randomUUID().slice(0, 8)}`;
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

interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** Starts a throwaway server as the current user (or as `postgres` when running as root, which PostgreSQL refuses). */
async function startPostgres(binaries: PostgresBinaries): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}postgres-`));
  const data = join(dir, 'data');
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};

  const init = spawnSync(binaries.initdb, ['-D', data, '-U', 'workbook', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...as,
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${binaries.initdb}):\n${init.stderr || init.error?.message}`);
  }

  const port = await freePort();
  const logFile = join(dir, 'postgres.log');
  const log = createWriteStream(logFile);
  const server: ChildProcess = spawn(
    binaries.postgres,
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    { ...as, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  // If this run is SIGKILLed, the guard stops the server (fast shutdown) and removes the folder.
  writeOwner(dir, { pid: server.pid!, signal: 'SIGINT', match: dir, remove: true });
  const guard = guardChild({ pid: server.pid!, signal: 'SIGINT', dir });

  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGINT'); // PostgreSQL's "fast" shutdown
      const killer = setTimeout(() => server.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    log.end();
    rmSync(dir, { recursive: true, force: true });
    guard.dispose();
  };

  const url = `postgres://workbook@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return { url, stop };
    } catch (error) {
      await client.end().catch(() => {});
      if (server.exitCode !== null || Date.now() > deadline) {
        const output = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
        await stop();
        throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function systemUser(name: string): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`Running as root, but there is no "${name}" user to run PostgreSQL as (PostgreSQL refuses to run as root)`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

