/**
 * The Prisma client factory: SQLite by default, PostgreSQL when the URL says so.
 *
 * Prisma 7 talks to the database through a driver adapter: better-sqlite3 for a file,
 * node-postgres for a server. Both clients are generated from the same models, so the rest of
 * the workbook uses one type, {@link Database}, whichever one runs.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient, type Prisma } from '../generated/sqlite/client.js';

/** The Prisma client every chapter uses. */
export type Database = PrismaClient;

/** Options passed on to `new PrismaClient()`, e.g. `log` for the query-counting helper. */
export type DatabaseOptions = Omit<Prisma.PrismaClientOptions, 'adapter' | 'accelerateUrl'>;

/** `true` for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:/i.test(databaseUrl);
}

/** The file path inside a `file:` URL, resolved against the current folder by SQLite. */
export function sqlitePath(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(`DATABASE_URL=${databaseUrl} is neither a file: URL (SQLite) nor a postgres:// URL`);
  }
  return databaseUrl.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
}

/**
 * Creates a Prisma client for `databaseUrl`. Call `$disconnect()` when done.
 *
 * @throws Error when the URL is of no supported kind, or names a SQLite file that does not exist
 * (SQLite would create an empty one, and every query would then fail with "no such table").
 */
export async function createDatabase(databaseUrl: string, options: DatabaseOptions = {}): Promise<Database> {
  if (isPostgresUrl(databaseUrl)) {
    // Loaded only when asked for, so SQLite users never load node-postgres.
    const [{ PrismaPg }, { PrismaClient: PostgresClient }] = await Promise.all([
      import('@prisma/adapter-pg'),
      import('../generated/postgres/client.js'),
    ]);
    const client = new PostgresClient({ ...options, adapter: new PrismaPg({ connectionString: databaseUrl }) });
    // Same models, same methods: only the SQL dialect underneath differs.
    return client as unknown as Database;
  }
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:' && !existsSync(path)) {
    throw new Error(`No SQLite database at ${path}: run \`npm run db:setup\` to create it, or fix DATABASE_URL`);
  }
  return new PrismaClient({ ...options, adapter: new PrismaBetterSqlite3({ url: path }) });
}
