import { describe, expect, it } from 'vitest';
import { Prisma } from '../src/generated/sqlite/client.js';
import { postgresSkipReason, useTestEnv } from './harness.js';

const env = useTestEnv();

/** Columns of every table, read from the database the committed migrations built. */
async function columnsByTable(): Promise<Map<string, string[]>> {
  const tables = new Map<string, string[]>();
  for (const model of Object.values(Prisma.ModelName)) {
    const columns = await env.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pragma_table_info('${model}')`);
    tables.set(model, columns.map((column) => column.name).sort());
  }
  return tables;
}

describe('the committed migration SQL', () => {
  it('creates a table for every model and a column for every scalar field of schema.prisma', async () => {
    const tables = await columnsByTable();
    for (const model of Object.values(Prisma.ModelName)) {
      const fields = Object.values(Prisma[`${model}ScalarFieldEnum`] as Record<string, string>).sort();
      expect(tables.get(model), `table "${model}"`).toEqual(fields);
    }
  });

  it('accepts what the client writes and enforces the unique fields', async () => {
    const user = await env.db.user.create({ data: { email: 'ada@example.com', name: 'Ada' } });
    const task = await env.db.task.create({ data: { title: 'Migrate', userId: user.id, logs: { create: { message: 'hi' } } } });
    expect(task.status).toBe('pending');
    await expect(env.db.user.create({ data: { email: 'ada@example.com', name: 'Twin' } })).rejects.toThrow(/Unique constraint/);
  });
});

describe.skipIf(postgresSkipReason())('the committed PostgreSQL migration SQL', () => {
  const pgEnv = useTestEnv({ database: 'postgres' });

  it('creates a table for every model and a column for every scalar field of schema.prisma', async () => {
    const rows = await pgEnv.db.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
    );
    for (const model of Object.values(Prisma.ModelName)) {
      const columns = rows.filter((row) => row.table_name === model).map((row) => row.column_name).sort();
      const fields = Object.values(Prisma[`${model}ScalarFieldEnum`] as Record<string, string>).sort();
      expect(columns, `table "${model}"`).toEqual(fields);
    }
  });
});
