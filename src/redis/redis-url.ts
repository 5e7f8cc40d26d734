/**
 * One answer to "which Redis?" for the demo app and the examples.
 *
 * @module Redis/Which Redis
 */
import { startEmbeddedRedis } from './embedded-server.js';
import { checkRedis } from './connection.js';

/** A Redis to talk to, and how to let go of it. */
export interface RedisHandle {
  url: string;
  /** `true` when the workbook started this Redis itself. */
  embedded: boolean;
  /** Stops the embedded server; does nothing for a `REDIS_URL` you own. */
  release(): Promise<void>;
}

/**
 * Uses `redisUrl` (normally `REDIS_URL`) when given, after checking that it answers; otherwise
 * starts a private `redis-server`, which keeps its data in `dataDir` when given (`npm start`
 * does; tests and examples want a throwaway one).
 *
 * @throws Error saying how to install Redis or fix `REDIS_URL`.
 */
export async function acquireRedis(redisUrl: string | undefined, { dataDir }: { dataDir?: string } = {}): Promise<RedisHandle> {
  if (redisUrl) {
    await checkRedis(redisUrl);
    return { url: redisUrl, embedded: false, release: async () => {} };
  }
  const server = await startEmbeddedRedis({ dataDir });
  return { url: server.url, embedded: true, release: () => server.stop() };
}
