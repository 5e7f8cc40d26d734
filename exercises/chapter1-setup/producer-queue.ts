import { Queue, Worker, type Processor } from 'bullmq';

/**
 * Creates the Queue that web requests add jobs to. When Redis goes away, `add()` must reject
 * at once, so the request can answer with an error instead of hanging.
 *
 * Everything in `redisUrl` counts: user name, password, database number (`/2`), and `rediss://` for TLS.
 */
export function createProducerQueue(name: string, redisUrl: string, prefix?: string): Queue {
  throw new Error('TODO(chapter 1): return a Queue whose connection does not queue commands while Redis is offline');
}

/**
 * Creates a Worker for `name` that waits out Redis outages: its blocking commands must never
 * give up and fail.
 *
 * Everything in `redisUrl` counts: user name, password, database number (`/2`), and `rediss://` for TLS.
 */
export function createWorker(name: string, redisUrl: string, processor: Processor, prefix?: string): Worker {
  throw new Error('TODO(chapter 1): return a Worker whose connection retries every command for as long as it takes');
}
