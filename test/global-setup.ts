/**
 * Runs once per `vitest` run: one Redis and one migrated template database for every test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.js';
import { applyMigrations } from '../src/db/migrate.js';
import { acquireRedis } from '../src/redis/redis-url.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis every test file shares, each under its own key prefix. */
    redisUrl: string;
    /** A migrated, empty SQLite file that each test file copies. */
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await acquireRedis(loadConfig().redisUrl);
  const dir = mkdtempSync(join(tmpdir(), 'workbook-test-db-'));
  const templateDatabase = join(dir, 'template.db');
  await applyMigrations(`file:${templateDatabase}`);

  project.provide('redisUrl', redis.url);
  project.provide('templateDatabase', templateDatabase);
  return async () => {
    await redis.release();
    rmSync(dir, { recursive: true, force: true });
  };
}
