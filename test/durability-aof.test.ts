import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, expect, it } from 'vitest';
import { startPersistentRedis, type PersistentRedis } from '../src/durability/persistent-redis.js';
import { workerConnectionOptions } from '../src/redis/connection.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'workbook-aof-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(options: Parameters<typeof startPersistentRedis>[0]): Promise<PersistentRedis> {
  const server = await startPersistentRedis(options);
  cleanups.push(() => server.stop());
  return server;
}

/** Adds `count` jobs one by one; each `add` has resolved (Redis acknowledged it) before the next. */
async function addAcknowledged(url: string, count: number): Promise<string[]> {
  const queue = new Queue('payments', { connection: workerConnectionOptions(url) });
  try {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await queue.add('capture', { paymentId: i })).id!);
    return ids;
  } finally {
    await queue.close();
  }
}

async function waitingIds(url: string): Promise<string[]> {
  const queue = new Queue('payments', { connection: workerConnectionOptions(url) });
  try {
    return (await queue.getWaiting(0, -1)).map((job) => job.id!);
  } finally {
    await queue.close();
  }
}

it('with AOF (appendfsync everysec), every acknowledged job survives a crash of redis-server', async () => {
  const dir = tempDir();
  const first = await start({ dir, appendfsync: 'everysec' });
  const acknowledged = await addAcknowledged(first.url, 200);

  await first.crash(); // SIGKILL: no shutdown, no last write
  const second = await start({ dir, appendfsync: 'everysec', port: first.port });

  expect((await waitingIds(second.url)).sort()).toEqual([...acknowledged].sort());
});

it('the same crash with persistence off (the embedded default) loses every job', async () => {
  const dir = tempDir();
  const first = await start({ dir, aof: false });
  await addAcknowledged(first.url, 20);

  await first.crash();
  const second = await start({ dir, aof: false, port: first.port });

  expect(await waitingIds(second.url)).toEqual([]);
});
