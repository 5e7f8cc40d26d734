import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, QueueEvents } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { retryAfterMs, startSyncAccountWorker } from './upstream-rate-limit.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });
const GENEROUS = { max: 1000, duration: 1000 };

interface Hit {
  at: number;
  status: number;
}

/**
 * A fake upstream API on a loopback port: `answer(n)` gives the status and headers of request n
 * (0-based); 200 answers carry the account as JSON. Records when each request arrived.
 */
async function fakeUpstream(answer: (n: number) => { status: number; headers?: Record<string, string> }) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const { status, headers = {} } = answer(hits.length);
    hits.push({ at: Date.now(), status });
    const accountId = Number(req.url?.split('/').at(-1));
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(status === 200 ? JSON.stringify({ accountId, balanceCents: accountId * 100 }) : '{"error":"nope"}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  env.track({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

it('reads Retry-After as seconds, as an HTTP-date, or falls back to the default', () => {
  const now = () => Date.parse('2026-11-27T10:00:00Z');
  expect(retryAfterMs('2', { defaultMs: 500 })).toBe(2000);
  expect(retryAfterMs('3', { defaultMs: 500, msPerSecond: 10 })).toBe(30);
  expect(retryAfterMs('Fri, 27 Nov 2026 10:00:05 GMT', { defaultMs: 500, now })).toBe(5000);
  expect(retryAfterMs('Fri, 27 Nov 2026 09:59:00 GMT', { defaultMs: 500, now })).toBe(0);
  expect(retryAfterMs(null, { defaultMs: 500 })).toBe(500);
  expect(retryAfterMs('soon', { defaultMs: 500 })).toBe(500);
});

it.each(['America/Los_Angeles', 'Pacific/Auckland'])('reads an HTTP-date in GMT whatever the server\'s zone: TZ=%s', (zone) => {
  const saved = process.env.TZ;
  process.env.TZ = zone;
  try {
    const now = () => Date.parse('2026-11-27T23:59:58Z');
    // Another calendar day in Auckland; a date read in local time is off by the zone's offset.
    expect(retryAfterMs('Sat, 28 Nov 2026 00:00:03 GMT', { defaultMs: 500, now })).toBe(5000);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

it('returns the account when the upstream answers 200', async () => {
  const upstream = await fakeUpstream(() => ({ status: 200 }));
  const queue = env.track(new Queue('upstream-sync', options()));
  const events = env.track(new QueueEvents('upstream-sync', options()));
  await events.waitUntilReady();
  env.track(startSyncAccountWorker(queue, { ...options(), baseUrl: upstream.baseUrl, defaultMs: 100, limit: GENEROUS }));

  const job = await queue.add('sync-account', { accountId: 7 });
  await expect(job.waitUntilFinished(events, 5000)).resolves.toEqual({ accountId: 7, balanceCents: 700 });
});

it('on a 429, holds every worker of the queue for Retry-After, then finishes the job without using an attempt', async () => {
  const window = 300; // Retry-After: 3 at 100 ms per second
  const upstream = await fakeUpstream((n) => (n === 4 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 }));
  const queue = env.track(new Queue('upstream-sync', options()));
  const worker = { ...options(), baseUrl: upstream.baseUrl, defaultMs: 5000, msPerSecond: 100, limit: GENEROUS };
  // Two workers, as two processes would run: the 429 seen by one must stop the other as well.
  env.track(startSyncAccountWorker(queue, worker));
  env.track(startSyncAccountWorker(queue, worker));

  // attempts: 1 — a 429 treated as a failure would fail the job for good.
  await queue.addBulk(Array.from({ length: 12 }, (_, i) => ({ name: 'sync-account', data: { accountId: i + 1 }, opts: { attempts: 1 } })));
  await waitUntil(async () => (await queue.getCompletedCount()) === 12, { message: '12 completed jobs', timeoutMs: 10_000 });

  expect(await queue.getFailedCount()).toBe(0);
  expect(upstream.hits.filter((hit) => hit.status === 429)).toHaveLength(1);
  const limitedAt = upstream.hits.find((hit) => hit.status === 429)!.at;
  // A request already on its way when the 429 went out may still arrive; after that, silence for the window.
  const during = upstream.hits.filter((hit) => hit.at > limitedAt + 50 && hit.at < limitedAt + window - 10);
  expect(during).toEqual([]);
  expect(upstream.hits.some((hit) => hit.at >= limitedAt + window - 10)).toBe(true);
  expect(upstream.hits).toHaveLength(13);
});

it('fails the attempt on any other error status, naming it', async () => {
  const upstream = await fakeUpstream(() => ({ status: 503 }));
  const queue = env.track(new Queue('upstream-sync', options()));
  const events = env.track(new QueueEvents('upstream-sync', options()));
  await events.waitUntilReady();
  env.track(startSyncAccountWorker(queue, { ...options(), baseUrl: upstream.baseUrl, defaultMs: 100, limit: GENEROUS }));

  const job = await queue.add('sync-account', { accountId: 9 });
  await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow(/503/);
  // Not a 429: the queue is not held (GENEROUS.max jobs would have to run first).
  expect(await queue.getRateLimitTtl(GENEROUS.max)).toBeLessThanOrEqual(0);
});

it("keeps to the upstream's published limit across workers", async () => {
  const upstream = await fakeUpstream(() => ({ status: 200 }));
  const queue = env.track(new Queue('upstream-sync', options()));
  const worker = { ...options(), baseUrl: upstream.baseUrl, defaultMs: 100, limit: { max: 4, duration: 200 } };
  env.track(startSyncAccountWorker(queue, worker));
  env.track(startSyncAccountWorker(queue, worker));

  await queue.addBulk(Array.from({ length: 10 }, (_, i) => ({ name: 'sync-account', data: { accountId: i + 1 } })));
  await waitUntil(async () => (await queue.getCompletedCount()) === 10, { message: '10 completed jobs', timeoutMs: 10_000 });

  // 4 + 4 + 2: the tenth request cannot start before two windows have passed.
  const first = upstream.hits[0]!.at;
  expect(upstream.hits.at(-1)!.at - first).toBeGreaterThanOrEqual(380);
});
