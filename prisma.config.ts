import { defineConfig } from 'prisma/config';

// The CLI only generates the client here: migrations are plain SQL applied by
// scripts/setup-database.ts, because the schema engine cannot be downloaded offline.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
