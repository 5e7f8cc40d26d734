// Mistake: parses the Redis URL by hand and keeps only host, port and password, so the user name, the database number and rediss:// (TLS) are lost
import { Queue, Worker, type Processor } from 'bullmq';

/** host, port, password and db of a `redis://` URL, as ioredis options. */
function fromUrl(redisUrl: string) {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port || 6379), password: url.password || undefined };
}

/**
 * Creates the Queue that web requests add jobs to. When Redis goes away, `add()` must reject
 * at once, so the request can answer with an error instead of hanging.
 */
export function createProducerQueue(name: string, redisUrl: string, prefix?: string): Queue {
  // Without the offline queue, ioredis rejects a command it cannot send right now.
  return new Queue(name, { connection: { ...fromUrl(redisUrl), enableOfflineQueue: false }, prefix });
}

/**
 * Creates a Worker for `name` that waits out Redis outages: its blocking commands must never
 * give up and fail.
 */
export function createWorker(name: string, redisUrl: string, processor: Processor, prefix?: string): Worker {
  // null: retry each command until Redis is back, however long that takes.
  return new Worker(name, processor, { connection: { ...fromUrl(redisUrl), maxRetriesPerRequest: null }, prefix });
}
