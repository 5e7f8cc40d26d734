/**
 * Chapter 8: Sidekiq Enterprise's rate limiters, in BullMQ. A fake upstream API on a loopback
 * port allows 5 requests per 500 ms and answers 429 with `Retry-After` when pushed harder.
 *
 *   npx tsx tutorials/08-beyond-sidekiq/example-rate-limit.ts
 *
 * 1. A Worker `limiter` keeps to the published limit across every worker of the queue.
 * 2. Without it, the upstream says 429; the processor rate-limits the whole queue for as long as
 *    `Retry-After` asks (`queue.rateLimit(ms)`) and gives the job back (`RateLimitError`), which
 *    does not use up an attempt. (`Retry-After` is in seconds; here 1 s stands for 100 ms.)
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, RateLimitError, Worker, type Job } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const WINDOW_MS = 500;
const MAX_PER_WINDOW = 5;
const MS_PER_SECOND = 100;

// The upstream: a fixed window of 5 requests per 500 ms; beyond that, 429 and Retry-After: 3.
const log: { at: number; status: number }[] = [];
let windowStart = 0;
let inWindow = 0;
const upstream = createServer((_req, res) => {
  const now = Date.now();
  if (now - windowStart >= WINDOW_MS) [windowStart, inWindow] = [now, 0];
  const status = ++inWindow <= MAX_PER_WINDOW ? 200 : 429;
  log.push({ at: now, status });
  res.writeHead(status, status === 429 ? { 'retry-after': '3' } : {}).end(status === 200 ? '{"ok":true}' : '');
});
upstream.listen(0, '127.0.0.1');
await once(upstream, 'listening');
const baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-08-rate-${process.pid}`;

async function run(title: string, limiter: { max: number; duration: number }): Promise<void> {
  log.length = 0;
  const queue = new Queue('crm-sync', { connection, prefix });
  const processor = async (job: Job<{ contactId: number }>) => {
    const response = await fetch(`${baseUrl}/contacts/${job.data.contactId}`);
    await response.body?.cancel();
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after') ?? 1);
      await queue.rateLimit(seconds * MS_PER_SECOND); // every worker of the queue waits
      throw new RateLimitError(); // back to waiting, attempt not used
    }
    if (!response.ok) throw new Error(`CRM answered ${response.status}`);
  };
  // Two workers, as two processes would run. The limiter is needed in both runs: it is also what
  // makes the Worker read the rate-limit key that queue.rateLimit() sets.
  const workers = [1, 2].map(() => new Worker('crm-sync', processor, { connection, prefix, concurrency: 5, limiter }));
  const started = Date.now();
  await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'sync-contact', data: { contactId: i + 1 }, opts: { attempts: 1 } })));
  while ((await queue.getCompletedCount()) < 20) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  const refused = log.filter((entry) => entry.status === 429).length;
  console.log(`   ${title}: 20 jobs done in ${seconds} s, ${log.length} requests, ${refused} answered 429, ${await queue.getFailedCount()} failed`);
  await Promise.all(workers.map((worker) => worker.close()));
  await queue.obliterate({ force: true });
  await queue.close();
}

try {
  console.log(`The upstream allows ${MAX_PER_WINDOW} requests per ${WINDOW_MS} ms.`);
  await run(`limiter { max: ${MAX_PER_WINDOW}, duration: ${WINDOW_MS} }`, { max: MAX_PER_WINDOW, duration: WINDOW_MS });
  await run(`limiter { max: ${MAX_PER_WINDOW - 1}, duration: ${WINDOW_MS} }, a margin under it`, { max: MAX_PER_WINDOW - 1, duration: WINDOW_MS });
  await run('limiter far too generous, 429s obeyed', { max: 1000, duration: 1000 });
  console.log('Two fixed windows that start at different moments can let up to twice the limit through at a boundary,');
  console.log('so even a limiter at or under the published limit meets some 429s: the 429 handling keeps those jobs from failing.');
} finally {
  upstream.closeAllConnections();
  upstream.close();
  await redis.release();
}
