/**
 * Chapter 8 (B4): what Redis persistence does for your jobs. A private redis-server with AOF on
 * (`appendfsync everysec`) takes 500 jobs, is killed with SIGKILL as a crash would, and is started
 * again on the same folder; then the same with persistence off.
 *
 *   npx tsx tutorials/08-beyond-sidekiq/example-durability.ts
 *
 * This example always starts its own servers (it has to kill them), whatever REDIS_URL says.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { startPersistentRedis, type AppendFsync } from '../../src/durability/persistent-redis.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';

const JOBS = 500;

async function crashAndRestart(label: string, aof: boolean, appendfsync: AppendFsync = 'everysec'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'workbook-aof-'));
  try {
    const first = await startPersistentRedis({ dir, aof, appendfsync });
    const queue = new Queue('payments', { connection: workerConnectionOptions(first.url) });
    for (let i = 0; i < JOBS; i++) await queue.add('capture', { paymentId: i }); // each one acknowledged
    await queue.close();
    await first.crash();

    const second = await startPersistentRedis({ dir, aof, appendfsync, port: first.port });
    const again = new Queue('payments', { connection: workerConnectionOptions(second.url) });
    console.log(`   ${label.padEnd(38)} ${String(await again.getWaitingCount()).padStart(4)} of ${JOBS} acknowledged jobs after the crash`);
    await again.close();
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${JOBS} jobs added one by one, each acknowledged by Redis; then SIGKILL and a restart on the same folder:\n`);
await crashAndRestart('appendonly yes, appendfsync everysec', true, 'everysec');
await crashAndRestart('appendonly yes, appendfsync always', true, 'always');
await crashAndRestart('persistence off (the workbook default)', false);
console.log(`
A killed redis-server loses nothing with AOF on: each write reached the operating system before
Redis answered. What everysec risks is a crash of the machine itself (power, kernel): up to about a
second of acknowledged jobs that were not yet fsynced. always closes that gap at the cost of a disk
flush per write; no keeps nothing you can count on.`);
