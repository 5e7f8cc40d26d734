/**
 * Redis connections with the options BullMQ needs for each role.
 *
 * Sidekiq hides its connection pool; BullMQ asks you to choose. A Worker blocks on Redis waiting
 * for jobs, so its commands must never give up (`maxRetriesPerRequest: null`). Code that adds jobs
 * from a web request should rather fail fast, so the request answers with an error instead of
 * hanging while Redis is down.
 *
 * @module Redis/Connections
 */
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { isRedisTooOld, MINIMUM_REDIS_VERSION, REDIS_UPGRADE_ADVICE } from './version.js';

/** Splits a `redis://` URL into the options BullMQ accepts as `connection` (and ioredis as well). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Options for a Worker's (or QueueEvents') connection: wait for Redis as long as it takes. */
export function workerConnectionOptions(url: string): RedisOptions {
  return { ...redisOptionsFromUrl(url), maxRetriesPerRequest: null };
}

/**
 * Options for a Queue used by producers such as HTTP handlers: when Redis goes away, `add()`
 * rejects at once instead of holding the request open until Redis is back. Redis must be up
 * when the Queue is created (check it first with {@link checkRedis}).
 */
export function queueConnectionOptions(url: string): RedisOptions {
  return { ...redisOptionsFromUrl(url), enableOfflineQueue: false };
}

/**
 * Checks that Redis answers at `url` and returns its version.
 *
 * @throws Error within `timeoutMs` that names the URL and says what to do, instead of the endless
 * reconnect loop a default ioredis client would start; and when the server is older than
 * {@link MINIMUM_REDIS_VERSION}.
 */
export async function checkRedis(url: string, timeoutMs = 2000): Promise<string> {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {
    // The rejected connect() below reports the failure; this keeps ioredis from printing it too.
  });
  let version: string;
  try {
    await client.connect();
    const info = await client.info('server');
    version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot reach Redis at ${url} (${reason}). Start redis-server, or unset REDIS_URL to let the workbook start its own.`,
    );
  } finally {
    client.disconnect();
  }
  if (isRedisTooOld(version)) {
    throw new Error(
      `Redis at ${url} is version ${version}, older than the ${MINIMUM_REDIS_VERSION} the workbook needs. ` +
        `${REDIS_UPGRADE_ADVICE}, or unset REDIS_URL to let the workbook start its own.`,
    );
  }
  return version;
}
