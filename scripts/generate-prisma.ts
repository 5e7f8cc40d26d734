/**
 * Generates the two Prisma clients: SQLite (prisma/schema.prisma) and PostgreSQL (the same
 * models with the provider swapped). Runs on `npm install`.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { POSTGRES_SCHEMA_FILE, postgresSchemaFor, SQLITE_SCHEMA_FILE } from './prisma-schemas.js';

const postgresSchema = postgresSchemaFor(readFileSync(SQLITE_SCHEMA_FILE, 'utf8'));
mkdirSync('src/generated', { recursive: true });
// The copy also records which schema the clients come from: the tests compare it with
// prisma/schema.prisma to notice a pull that changed the schema (staleClientReason).
writeFileSync(POSTGRES_SCHEMA_FILE, postgresSchema);

// `prisma generate` does not use the schema engine, but the CLI insists that one exists and
// would try to download it; any existing file satisfies it and keeps the install offline.
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
for (const schema of [SQLITE_SCHEMA_FILE, POSTGRES_SCHEMA_FILE]) {
  execFileSync('prisma', ['generate', '--schema', schema], { stdio: 'inherit', env });
}
