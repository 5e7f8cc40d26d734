/**
 * The workbook's settings, read from the environment with safe defaults.
 *
 * Sidekiq reads `REDIS_URL` and `config/sidekiq.yml`; here one typed object plays both parts,
 * so a typo in a variable name is a compile error and a bad value is a clear message at start-up.
 *
 * @module Demo app/Settings
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
  /**
   * How long a stopping worker lets running jobs finish before handing them back to the queue
   * (`SHUTDOWN_TIMEOUT`, in seconds like Sidekiq's `-t`; default 25).
   */
  shutdownTimeoutMs: number;
  /** Where `npm start`'s private Redis keeps its append-only file (`REDIS_DATA_DIR`, default `.data/redis`). */
  redisDataDir: string;
  /**
   * Host names the demo answers to (`ALLOWED_HOSTS`, comma-separated; default `localhost`,
   * `127.0.0.1` and `[::1]`). Other `Host` headers are refused, which defeats DNS rebinding.
   */
  allowedHosts: string[];
  /** Pretend work in the demo's job, in milliseconds (`DEMO_JOB_WORK_MS`, default 0): for trying faults. */
  demoJobWorkMs: number;
}

/** Sidekiq's shutdown timeout, `-t 25`. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 25;

/** Where `npm start` keeps its Redis data (git-ignored). */
export const DEFAULT_REDIS_DATA_DIR = '.data/redis';

/** The host names a server on the loopback interface is reached by. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

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
    shutdownTimeoutMs: positiveInteger(env, 'SHUTDOWN_TIMEOUT', DEFAULT_SHUTDOWN_TIMEOUT_SECONDS) * 1000,
    redisDataDir: env.REDIS_DATA_DIR?.trim() || DEFAULT_REDIS_DATA_DIR,
    allowedHosts: hostList(env, 'ALLOWED_HOSTS') ?? LOOPBACK_HOSTS,
    demoJobWorkMs: wholeNumber(env, 'DEMO_JOB_WORK_MS', 0),
  };
}

function hostList(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const hosts = raw.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  const bad = hosts.find((host) => !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(host));
  if (bad !== undefined) throw new Error(`${name}=${raw}: "${bad}" is not a host name (no port, no scheme)`);
  return hosts;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) throw new Error(`${name}=${raw} must be a whole number of 0 or more`);
  return value;
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
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name}=${raw} must be a whole number of 1 or more`);
  }
  return value;
}
