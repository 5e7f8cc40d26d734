/**
 * `npm run db:setup` (also run by `npm install`): creates the database, applies the committed
 * migrations and seeds sample data into a new database. `--reset` starts again from empty.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import '../src/process/writable-checkout.js';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createDatabase, isPostgresUrl, sqlitePath } from '../src/db/client.js';
import { applyMigrations, redact } from '../src/db/migrate.js';
import { seedSampleData } from '../src/db/seed.js';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  if (process.argv.includes('--reset')) {
    if (isPostgresUrl(databaseUrl)) throw new Error('--reset only removes SQLite files; drop the PostgreSQL database yourself');
    rmSync(sqlitePath(databaseUrl), { force: true });
  }
  if (!isPostgresUrl(databaseUrl) && !existsSync(sqlitePath(databaseUrl))) {
    console.log(`Creating ${sqlitePath(databaseUrl)}`);
    // SQLite creates the file but not its folder.
    mkdirSync(dirname(sqlitePath(databaseUrl)), { recursive: true });
  }
  const applied = await applyMigrations(databaseUrl);
  for (const name of applied) console.log(`Applied migration ${name}`);

  const db = await createDatabase(databaseUrl);
  try {
    if ((await db.user.count()) === 0) {
      await seedSampleData(db);
      console.log('Seeded sample data');
    }
  } finally {
    await db.$disconnect();
  }
  console.log(`Database ready: ${redact(databaseUrl)}`);
}

main().catch((error: unknown) => {
  console.error(`Database set-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
