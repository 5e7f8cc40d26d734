/**
 * Applies the committed migration SQL, the way `prisma migrate deploy` would.
 *
 * Prisma's migration engine is a separate download that this workbook cannot rely on, so the
 * SQL lives in Prisma's own folder layout and this module runs each file once, inside a
 * transaction, recording its name in `_workbook_migrations`.
 *
 * @module Database/Migrations
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../process/node-version.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import type { Database } from './client.js';
import { isPostgresUrl, redact, sqlitePath } from './url.js';

export { redact };

/** The migration folders, one per database kind, in Prisma's `<name>/migration.sql` layout. */
export const MIGRATIONS_DIRS = { sqlite: 'prisma/migrations', postgres: 'prisma/migrations-postgres' } as const;

const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_workbook_migrations" (
  "name" TEXT PRIMARY KEY,
  "appliedAt" TEXT NOT NULL
)`;

/** One migration: its folder name and the SQL in its `migration.sql`. */
export interface Migration {
  name: string;
  sql: string;
}

/** The migrations in `dir`, oldest first (folder names start with a timestamp). */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name, 'migration.sql'), 'utf8') }));
}

/**
 * Brings the database at `databaseUrl` up to date.
 *
 * @param root folder holding `prisma/` (the project root by default)
 * @returns the names of the migrations applied now (empty when it was up to date)
 */
export async function applyMigrations(databaseUrl: string, root = process.cwd()): Promise<string[]> {
  return isPostgresUrl(databaseUrl)
    ? applyPostgres(databaseUrl, readMigrations(join(root, MIGRATIONS_DIRS.postgres)))
    : applySqlite(sqlitePath(databaseUrl), readMigrations(join(root, MIGRATIONS_DIRS.sqlite)));
}

/**
 * The committed migrations that the database behind `db` has not had yet, oldest first, like
 * Rails' pending-migration check: a `git pull` can bring new ones. Empty when it is up to date.
 *
 * @param root folder holding `prisma/` (the project root by default)
 */
export async function pendingMigrations(db: Database, databaseUrl: string, root = process.cwd()): Promise<string[]> {
  const dir = join(root, isPostgresUrl(databaseUrl) ? MIGRATIONS_DIRS.postgres : MIGRATIONS_DIRS.sqlite);
  const rows = await db.$queryRawUnsafe<{ name: string }[]>('SELECT "name" FROM "_workbook_migrations"').catch((error: unknown) => {
    // No history table: a database that none of the workbook's migrations has touched.
    if (/_workbook_migrations/.test(String(error))) return [];
    throw error;
  });
  const done = new Set(rows.map((row) => row.name));
  return readMigrations(dir)
    .map((migration) => migration.name)
    .filter((name) => !done.has(name));
}

function applySqlite(path: string, migrations: Migration[]): string[] {
  const db = new Sqlite(path);
  try {
    db.exec(HISTORY_TABLE);
    const done = new Set(
      db.prepare('SELECT "name" FROM "_workbook_migrations"').all().map((row) => (row as { name: string }).name),
    );
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.name))) {
      db.transaction(() => {
        db.exec(migration.sql);
        db.prepare('INSERT INTO "_workbook_migrations" ("name", "appliedAt") VALUES (?, ?)').run(
          migration.name,
          new Date().toISOString(),
        );
      })();
      applied.push(migration.name);
    }
    return applied;
  } finally {
    db.close();
  }
}

async function applyPostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`);
  }
  try {
    await client.query(HISTORY_TABLE);
    const { rows } = await client.query<{ name: string }>('SELECT "name" FROM "_workbook_migrations"');
    const done = new Set(rows.map((row) => row.name));
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.name))) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO "_workbook_migrations" ("name", "appliedAt") VALUES ($1, $2)', [
          migration.name,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.end();
  }
}
