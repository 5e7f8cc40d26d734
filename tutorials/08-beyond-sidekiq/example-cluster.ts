/**
 * Chapter 8: scaling past one Redis. Starts a real Redis Cluster on loopback (three redis-server
 * masters in cluster mode, joined with `redis-cli --cluster create`), runs jobs through it with a
 * hash-tagged prefix, and shows what happens without the hash tag.
 *
 *   npx tsx tutorials/08-beyond-sidekiq/example-cluster.ts
 *
 * Needs redis-server and redis-cli on PATH (Debian/Ubuntu: apt-get install redis-server, which
 * brings redis-tools); it always starts its own nodes, whatever REDIS_URL says.
 */
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { startLocalCluster } from '../../src/cluster/local-cluster.js';

const cluster = await startLocalCluster();
// BullMQ leaves a client you hand it open, so the example keeps them and disconnects them at the end.
const clients: Cluster[] = [];
const connection = () => {
  const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  clients.push(client);
  return client;
};
const closing: { close(): Promise<unknown> }[] = [];
try {
  console.log(`redis-cli --cluster create ${cluster.nodes.map((node) => `${node.host}:${node.port}`).join(' ')} --cluster-replicas 0 --cluster-yes`);
  // The first part of redis-cli's output is the plan (one master per slot range); the rest re-checks it.
  const plan = cluster.createOutput.split('>>> Performing Cluster Check')[0]!;
  for (const line of plan.split('\n').filter((l) => /^(M:|\s+slots)/.test(l))) console.log(`   ${line.trim()}`);
  console.log(`   ${/\[OK\] All 16384 slots covered\./.exec(cluster.createOutput)?.[0] ?? 'slots NOT all covered'}`);

  // Every key of one queue must hash to one slot: the {braces} make Redis hash only "emails".
  const prefix = '{emails}';
  const queue = new Queue('welcome', { connection: connection(), prefix });
  const events = new QueueEvents('welcome', { connection: connection(), prefix });
  const workers = [1, 2].map(() => new Worker('welcome', async (job) => `sent to ${job.data.to}`, { connection: connection(), prefix, concurrency: 10 }));
  closing.push(queue, events, ...workers);
  await events.waitUntilReady();

  const started = Date.now();
  const jobs = await queue.addBulk(Array.from({ length: 1000 }, (_, i) => ({ name: 'welcome', data: { to: `user${i}@example.com` } })));
  while ((await queue.getCompletedCount()) < jobs.length) await new Promise((resolve) => setTimeout(resolve, 20));
  const slot = Number(await connection().cluster('KEYSLOT', `${prefix}:welcome:wait`));
  console.log(`\nprefix '${prefix}': 1,000 jobs through the cluster in ${Date.now() - started} ms by two Workers; every key in slot ${slot}`);
  console.log(`   job 7 returned: ${(await queue.getJob(jobs[7]!.id!))?.returnvalue}`);

  const untagged = new Queue('welcome', { connection: connection(), prefix: 'emails' });
  closing.push(untagged);
  try {
    await untagged.add('welcome', { to: 'nobody@example.com' });
    console.log("prefix 'emails': added (unexpected)");
  } catch (error) {
    console.log(`prefix 'emails' (no hash tag): ${(error as Error).message.split('\n')[0]}`);
  }
  console.log('\nOne queue lives on one master: a cluster spreads different queues (different tags), not one queue.');
} finally {
  for (const resource of closing.reverse()) await resource.close();
  for (const client of clients) client.disconnect();
  await cluster.stop();
}
