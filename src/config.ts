/**
 * The workbook's settings, read from the environment with safe defaults.
 *
 * Sidekiq reads `REDIS_URL` and `config/sidekiq.yml`; here one typed object plays both parts,
 * so a typo in a variable name is a compile error and a bad value is a clear message at start-up.
 *
 * @module
 */

/** Everything the demo app, the examples and the tests need to know about their surroundings. */
export interface WorkbookConfig {
  /** Redis to use. `undefined` means: start a private `redis-server` (the embedded default). */
  redisUrl: string | undefined;
  /** Database URL: `file:./prisma/dev.db` (SQLite) by default, or a `postgres://` URL. */
  databaseUrl: string;
  /** Port of the demo HTTP server. */
  port: number;
  /** Jobs one worker process runs at once (Sidekiq's `:concurrency:`, whose default is 5). */
  concurrency: number;
}

/** Where `npm install` creates the sample SQLite database. */
export const DEFAULT_DATABASE_URL = 'file:./prisma/dev.db';

/**
 * Reads {@link WorkbookConfig} from an environment (by default `process.env`).
 *
 * @throws Error naming the variable when a value cannot be used.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkbookConfig {
  return {
    redisUrl: optionalUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    databaseUrl:
      optionalUrl(env, 'DATABASE_URL', ['file:', 'postgres:', 'postgresql:']) ?? DEFAULT_DATABASE_URL,
    port: positiveInteger(env, 'PORT', 3000),
    concurrency: positiveInteger(env, 'WORKER_CONCURRENCY', 5),
  };
}

function optionalUrl(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const protocol = value.slice(0, value.indexOf(':') + 1).toLowerCase();
  if (!protocols.includes(protocol)) {
    throw new Error(`${name}=${value} is not a URL this workbook understands: it must start with ${protocols.join(' or ')}`);
  }
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}=${raw} must be a whole number of 1 or more`);
  }
  return value;
}
