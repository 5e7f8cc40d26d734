/**
 * The two Prisma schemas the workbook generates its clients from: prisma/schema.prisma (SQLite)
 * and its PostgreSQL copy, the same models with the provider and output swapped. Shared by
 * `generate-prisma.ts`, which writes the copy, and the tests' global set-up, which checks that
 * the generated clients are as new as the schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The SQLite schema, the one to edit. */
export const SQLITE_SCHEMA_FILE = 'prisma/schema.prisma';
/** The PostgreSQL copy, written next to the generated clients. */
export const POSTGRES_SCHEMA_FILE = 'src/generated/postgres.prisma';

/** The PostgreSQL copy's text for `sqliteSchema`, as {@link POSTGRES_SCHEMA_FILE} holds it. */
export function postgresSchemaFor(sqliteSchema: string): string {
  const postgresSchema = sqliteSchema
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output                 = "../src/generated/sqlite"', 'output                 = "./postgres"');
  if (postgresSchema === sqliteSchema || !postgresSchema.includes('"./postgres"')) {
    throw new Error(`${SQLITE_SCHEMA_FILE} changed shape: update scripts/prisma-schemas.ts`);
  }
  return `// Generated from ${SQLITE_SCHEMA_FILE}: do not edit.\n${postgresSchema}`;
}

/**
 * Why the generated clients in the checkout at `root` do not match its schema (a `git pull`
 * brought a newer one since `npm install` generated them), or `undefined` when they do.
 */
export function staleClientReason(root = '.'): string | undefined {
  const copy = join(root, POSTGRES_SCHEMA_FILE);
  const current = existsSync(copy) && readFileSync(copy, 'utf8') === postgresSchemaFor(readFileSync(join(root, SQLITE_SCHEMA_FILE), 'utf8'));
  if (current) return undefined;
  return `The Prisma client in src/generated is older than ${SQLITE_SCHEMA_FILE} (a git pull brought a newer schema): run \`npm install\`, which generates it again and migrates prisma/dev.db.`;
}
