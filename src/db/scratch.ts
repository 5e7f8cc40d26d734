/**
 * Throwaway databases for examples: migrated, empty, deleted afterwards, so running an example
 * never changes the sample data in `prisma/dev.db`.
 *
 * @module Database/Scratch databases
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardFolder, TEMP_PREFIX } from '../process/orphan-guard.js';
import { createDatabase, type Database, type DatabaseOptions } from './client.js';
import { applyMigrations } from './migrate.js';

/** A migrated, empty SQLite database in a temporary folder. */
export interface ScratchDatabase {
  db: Database;
  /** Its `file:` URL, for a second client on the same file. */
  url: string;
  /** Disconnects and deletes the file. */
  dispose(): Promise<void>;
}

/** Creates a {@link ScratchDatabase}; `options` go to `new PrismaClient()` (e.g. `log`). */
export async function createScratchDatabase(options: DatabaseOptions = {}): Promise<ScratchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}example-`));
  // Removed even if the example is killed: by a guard at once, or by the next run's clean-up.
  const guard = guardFolder(dir, { remove: true });
  const url = `file:${join(dir, 'example.db')}`;
  await applyMigrations(url);
  const db = await createDatabase(url, options);
  return {
    db,
    url,
    async dispose() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
      guard.dispose();
    },
  };
}
