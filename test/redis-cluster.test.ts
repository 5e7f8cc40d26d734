import { spawnSync } from 'node:child_process';
import { Queue, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../src/cluster/local-cluster.js';
import { waitUntil } from './harness.js';

const noCli = spawnSync('redis-cli', ['--version']).error
  ? 'Redis Cluster tests skipped: no redis-cli on PATH (Debian/Ubuntu: apt-get install redis-tools)'
  : undefined;
if (noCli && process.env.CI) throw new Error(`CI is set, so the Redis Cluster tests must run, but: ${noCli}`);

describe.skipIf(noCli)('BullMQ on a real three-master Redis Cluster', () => {
  let cluster: LocalCluster;
  const clients: { close(): Promise<unknown> }[] = [];
  const connections: Cluster[] = [];
  // BullMQ leaves a client it is handed open: each one is disconnected after the queues are closed.
  const connection = () => {
    const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
    connections.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await startLocalCluster();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients.reverse()) await client.close();
    for (const client of connections) client.disconnect();
    await cluster?.stop();
  });

  it('spreads the slots over three masters', async () => {
    const client = connection();
    await new Promise((resolve) => client.once('ready', resolve));
    expect(client.nodes('master')).toHaveLength(3);
    expect(cluster.createOutput).toMatch(/All 16384 slots covered/);
  });

  it('runs jobs with a hash-tagged prefix: every key of a queue lands in one slot', async () => {
    const prefix = '{wb-cluster}';
    const queue = new Queue('emails', { connection: connection(), prefix });
    const worker = new Worker('emails', async (job) => `sent to ${job.data.to}`, { connection: connection(), prefix, concurrency: 5 });
    clients.push(queue, worker);

    const jobs = await queue.addBulk(Array.from({ length: 50 }, (_, i) => ({ name: 'welcome', data: { to: `user${i}@example.com` } })));
    await waitUntil(async () => (await queue.getCompletedCount()) === 50, { message: '50 completed jobs', timeoutMs: 10_000 });

    expect((await queue.getJob(jobs[7]!.id!))?.returnvalue).toBe('sent to user7@example.com');
    // The whole queue lives on one master: the one that owns the slot of "wb-cluster".
    const owners = await Promise.all(
      cluster.nodes.map(async (node) => {
        const client = new Redis(node);
        try {
          return (await client.dbsize()) > 0;
        } finally {
          client.disconnect();
        }
      }),
    );
    expect(owners.filter(Boolean)).toHaveLength(1);
  });

  it('without the hash tag, a queue’s keys fall in different slots and Redis refuses the scripts', async () => {
    const queue = new Queue('emails', { connection: connection(), prefix: 'no-tag' });
    clients.push(queue);
    await expect(queue.add('welcome', { to: 'someone@example.com' })).rejects.toThrow(/CROSSSLOT|slot/i);
  });
});
