import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { useTestEnv } from '../../test/harness.js';
import { registerQueueGauges } from './queue-gauges.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });

/** The value of one sample in a scrape, or undefined when the line is not there. */
function sample(scrape: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of scrape.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2]!.split(',');
    if (wanted.every((pair) => have.includes(pair)) && have.length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

it('reports waiting (prioritized included), delayed and failed jobs per queue as gauges', async () => {
  const registry = new Registry();
  const mail = env.track(new Queue('mail', options()));
  const reports = env.track(new Queue('reports', options()));
  registerQueueGauges(registry, [mail, reports]);
  await mail.add('welcome', {});
  await mail.add('vip', {}, { priority: 1 });
  await mail.add('digest', {}, { delay: 60_000 });
  await reports.add('daily', {});

  const scrape = await registry.metrics();
  expect(scrape).toMatch(/^# TYPE bullmq_queue_jobs gauge$/m);
  expect(sample(scrape, 'bullmq_queue_jobs', { queue: 'mail', state: 'waiting' })).toBe(2);
  expect(sample(scrape, 'bullmq_queue_jobs', { queue: 'mail', state: 'delayed' })).toBe(1);
  expect(sample(scrape, 'bullmq_queue_jobs', { queue: 'mail', state: 'failed' })).toBe(0);
  expect(sample(scrape, 'bullmq_queue_jobs', { queue: 'reports', state: 'waiting' })).toBe(1);
});

it('reads the queues at scrape time: a job added after registering shows in the next scrape', async () => {
  const registry = new Registry();
  const mail = env.track(new Queue('mail', options()));
  registerQueueGauges(registry, [mail]);
  expect(sample(await registry.metrics(), 'bullmq_queue_jobs', { queue: 'mail', state: 'waiting' })).toBe(0);

  await mail.add('welcome', {});
  await mail.add('welcome', {});
  expect(sample(await registry.metrics(), 'bullmq_queue_jobs', { queue: 'mail', state: 'waiting' })).toBe(2);
});

it('reports each queue’s latency in seconds at the clock’s time', async () => {
  const registry = new Registry();
  const mail = env.track(new Queue('mail', options()));
  const idle = env.track(new Queue('idle', options()));
  let now = Date.now();
  registerQueueGauges(registry, [mail, idle], () => now);
  await mail.add('welcome', {}, { timestamp: now - 90_000 });

  const scrape = await registry.metrics();
  expect(scrape).toMatch(/^# TYPE bullmq_queue_latency_seconds gauge$/m);
  expect(sample(scrape, 'bullmq_queue_latency_seconds', { queue: 'mail' })).toBe(90);
  expect(sample(scrape, 'bullmq_queue_latency_seconds', { queue: 'idle' })).toBe(0);

  now += 30_000;
  expect(sample(await registry.metrics(), 'bullmq_queue_latency_seconds', { queue: 'mail' })).toBe(120);
});
