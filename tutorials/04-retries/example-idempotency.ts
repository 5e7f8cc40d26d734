/**
 * Chapter 4: a job that can run twice without charging twice, and a job that is enqueued once.
 *
 *   npx tsx tutorials/04-retries/example-idempotency.ts
 *
 * Retries mean a job can run more than once; so do duplicate enqueues and redeliveries. This
 * runs the same charge twice at the same moment, first with check-then-act, then with a
 * conditional update, and then enqueues one invoice job twice. Private Redis, throwaway SQLite.
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const { db, dispose } = await createScratchDatabase();
const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-04-idem-${process.pid}`;
const queue = new Queue('invoices', { connection, prefix });
const events = new QueueEvents('invoices', { connection, prefix });

/** `return if order.charged?` then charge: both runs can pass the check before either writes. */
async function chargeCheckThenAct(db: Database, orderId: number): Promise<string> {
  const order = await db.order.findUniqueOrThrow({ where: { id: orderId } });
  if (order.status !== 'pending') return 'already-charged';
  await db.order.update({ where: { id: orderId }, data: { status: 'charged', chargeCount: { increment: 1 } } });
  return 'charged';
}

/** The check is part of the UPDATE: the database lets exactly one run match `status = 'pending'`. */
async function chargeConditionally(db: Database, orderId: number): Promise<string> {
  const { count } = await db.order.updateMany({
    where: { id: orderId, status: 'pending' },
    data: { status: 'charged', chargeCount: { increment: 1 }, chargedAt: new Date() },
  });
  return count === 1 ? 'charged' : 'already-charged';
}

try {
  console.log('1. Two runs of the same charge at once (a retry racing a redelivery)');
  for (const charge of [chargeCheckThenAct, chargeConditionally]) {
    const order = await db.order.create({ data: { reference: `ORD-${charge.name}`, totalCents: 4200 } });
    const outcomes = await Promise.all([charge(db, order.id), charge(db, order.id)]);
    const { chargeCount } = await db.order.findUniqueOrThrow({ where: { id: order.id } });
    console.log(`   ${charge.name.padEnd(20)} outcomes ${outcomes.join(' + ')} -> chargeCount ${chargeCount}`);
  }

  console.log('\n2. lock: :until_executed -> deduplication: the second add returns the first job');
  await events.waitUntilReady();
  const options = { deduplication: { id: 'send-invoice-42' } };
  const first = await queue.add('send-invoice', { orderId: 42 }, options);
  const second = await queue.add('send-invoice', { orderId: 42 }, options);
  console.log(`   deduplicated: send-invoice-42 is already job ${await queue.getDeduplicationJobId('send-invoice-42')}`);
  console.log(`   ids: ${first.id} and ${second.id}`);
  // The worker starts only now, so the job is certainly still waiting when the second add arrives.
  let runs = 0;
  const worker = new Worker('invoices', async () => ++runs, { connection, prefix });
  await first.waitUntilFinished(events, 5000);
  console.log(`   runs: ${runs}`);

  console.log('\n3. Once the job has run, the lock is gone: the same invoice can be enqueued again');
  const third = await queue.add('send-invoice', { orderId: 42 }, options);
  await third.waitUntilFinished(events, 5000);
  console.log(`   new job ${third.id}; runs: ${runs}`);
  await worker.close();
} finally {
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await dispose();
  await redis.release();
}
