// Mistake: gives the Worker the producer's fail-fast connection options, so its blocking reads give up during a Redis outage instead of waiting it out
import { Queue, Worker, type Processor } from 'bullmq';
import { queueConnectionOptions, workerConnectionOptions } from '../../src/redis/connection.js';

/**
 * Creates the Queue that web requests add jobs to. When Redis goes away, `add()` must reject
 * at once, so the request can answer with an error instead of hanging.
 *
 * Everything in `redisUrl` counts: user name, password, database number (`/2`), and `rediss://` for TLS.
 */
export function createProducerQueue(name: string, redisUrl: string, prefix?: string): Queue {
  // The toolkit's options keep all of the URL; enableOfflineQueue: false makes a command that
  // cannot be sent right now reject at once.
  return new Queue(name, { connection: queueConnectionOptions(redisUrl), prefix });
}

/**
 * Creates a Worker for `name` that waits out Redis outages: its blocking commands must never
 * give up and fail.
 *
 * Everything in `redisUrl` counts: user name, password, database number (`/2`), and `rediss://` for TLS.
 */
export function createWorker(name: string, redisUrl: string, processor: Processor, prefix?: string): Worker {
  // maxRetriesPerRequest: null: retry each command until Redis is back, however long that takes.
  return new Worker(name, processor, { connection: queueConnectionOptions(redisUrl), prefix });
}
