/**
 * Generates the two Prisma clients: SQLite (prisma/schema.prisma) and PostgreSQL (the same
 * models with the provider swapped). Runs on `npm install`.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const sqliteSchema = readFileSync('prisma/schema.prisma', 'utf8');
const postgresSchema = sqliteSchema
  .replace('provider = "sqlite"', 'provider = "postgresql"')
  .replace('output                 = "../src/generated/sqlite"', 'output                 = "./postgres"');
if (postgresSchema === sqliteSchema || !postgresSchema.includes('"./postgres"')) {
  throw new Error('prisma/schema.prisma changed shape: update scripts/generate-prisma.ts');
}
mkdirSync('src/generated', { recursive: true });
writeFileSync('src/generated/postgres.prisma', `// Generated from prisma/schema.prisma: do not edit.\n${postgresSchema}`);

// `prisma generate` does not use the schema engine, but the CLI insists that one exists and
// would try to download it; any existing file satisfies it and keeps the install offline.
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
for (const schema of ['prisma/schema.prisma', 'src/generated/postgres.prisma']) {
  execFileSync('prisma', ['generate', '--schema', schema], { stdio: 'inherit', env });
}
