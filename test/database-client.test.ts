import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDatabase, createDatabase } from '../src/db/client.js';
import { applyMigrations, MIGRATIONS_DIRS, readMigrations } from '../src/db/migrate.js';
import { createScratchDatabase } from '../src/db/scratch.js';

describe('createDatabase', () => {
  it('refuses a SQLite file that does not exist, and says how to create it', async () => {
    await expect(createDatabase('file:/nonexistent/dir/dev.db')).rejects.toThrow(/No SQLite database at .*npm run db:setup/);
  });

  it('refuses a URL that is neither SQLite nor PostgreSQL', async () => {
    await expect(createDatabase('mysql://db/app')).rejects.toThrow(/neither a file: URL .* nor a postgres/);
  });
});

describe('applyMigrations', () => {
  it('says which PostgreSQL it could not reach, without the password', async () => {
    await expect(applyMigrations('postgresql://app:secret@127.0.0.1:1/workbook')).rejects.toThrow(
      /Cannot connect to PostgreSQL at postgresql:\/\/app:\*\*\*@127\.0\.0\.1:1\/workbook/,
    );
  });
});

describe('checkDatabase', () => {
  const migrations = readMigrations(MIGRATIONS_DIRS.sqlite).map((migration) => migration.name);

  it('passes a database that has every committed migration', async () => {
    const scratch = await createScratchDatabase();
    try {
      await expect(checkDatabase(scratch.db, scratch.url)).resolves.toBeUndefined();
    } finally {
      await scratch.dispose();
    }
  });

  it('refuses a database that a git pull left a migration behind, naming it and npm run db:setup', async () => {
    const scratch = await createScratchDatabase();
    const newest = migrations.at(-1)!;
    try {
      await scratch.db.$executeRawUnsafe('DELETE FROM "_workbook_migrations" WHERE "name" = ?', newest);
      await expect(checkDatabase(scratch.db, scratch.url)).rejects.toThrow(`lacks the migration ${newest}: run \`npm run db:setup\``);
    } finally {
      await scratch.dispose();
    }
  });

  it('refuses a database that no migration has touched, naming every migration', async () => {
    const scratch = await createScratchDatabase();
    const empty = join(scratch.url.slice('file:'.length), '..', 'empty.db');
    writeFileSync(empty, '');
    const db = await createDatabase(`file:${empty}`);
    try {
      await expect(checkDatabase(db, `file:${empty}`)).rejects.toThrow(`lacks the migrations ${migrations.join(', ')}`);
    } finally {
      await db.$disconnect();
      await scratch.dispose();
    }
  });
});
