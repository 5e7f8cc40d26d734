import { describe, expect, it } from 'vitest';
import { createDatabase } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';

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
