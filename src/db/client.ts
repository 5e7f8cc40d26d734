/**
 * The Prisma client factory: SQLite by default, PostgreSQL when the URL says so.
 *
 * Prisma 7 talks to the database through a driver adapter: better-sqlite3 for a file,
 * node-postgres for a server. Both clients are generated from the same models, so the rest of
 * the workbook uses one type, {@link Database}, whichever one runs.
 *
 * @module Database/Prisma client
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../process/node-version.js';
import { existsSync } from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient, type Prisma } from '../generated/sqlite/client.js';
import { pendingMigrations } from './migrate.js';
import { isPostgresUrl, redact, sqlitePath } from './url.js';

export { isPostgresUrl, redact, sqlitePath };

/** The Prisma client every chapter uses. */
export type Database = PrismaClient;

/** Options passed on to `new PrismaClient()`, e.g. `log` for the query-counting helper. */
export type DatabaseOptions = Omit<Prisma.PrismaClientOptions, 'adapter' | 'accelerateUrl'>;

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
    // A server that is not there must be an error within seconds, not a request that hangs.
    const adapter = new PrismaPg({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
    const client = new PostgresClient({ ...options, adapter });
    // Same models, same methods: only the SQL dialect underneath differs.
    return client as unknown as Database;
  }
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:' && !existsSync(path)) {
    throw new Error(`No SQLite database at ${path}: run \`npm run db:setup\` to create it, or fix DATABASE_URL`);
  }
  return new PrismaClient({ ...options, adapter: new PrismaBetterSqlite3({ url: path }) });
}

/**
 * Runs `SELECT 1` on `db` within `timeoutMs`, then checks that it has every committed migration:
 * at start-up, so that a database that cannot be reached, or that a `git pull` left behind the
 * schema, stops the app with one clear message instead of failing requests later.
 *
 * @throws Error naming the database (password hidden) and the reason, or the migrations it lacks.
 */
export async function checkDatabase(db: Database, databaseUrl: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.$queryRaw`SELECT 1`,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    const kind = isPostgresUrl(databaseUrl) ? 'PostgreSQL' : 'SQLite';
    const reason = (error as Error).message.split('\n').filter(Boolean).at(-1) ?? String(error);
    throw new Error(`Cannot use the ${kind} database at ${redact(databaseUrl)}: ${reason}. Check DATABASE_URL, and run \`npm run db:setup\` for a new database.`);
  } finally {
    clearTimeout(timer);
  }
  const pending = await pendingMigrations(db, databaseUrl);
  if (pending.length > 0) {
    throw new Error(
      `The database at ${redact(databaseUrl)} lacks ${pending.length === 1 ? 'the migration' : 'the migrations'} ${pending.join(', ')}: run \`npm run db:setup\` to apply ${pending.length === 1 ? 'it' : 'them'}.`,
    );
  }
}
