import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
const N = 20000;
const connection = { host: '127.0.0.1', port: 6399, maxRetriesPerRequest: null };
const r = new Redis(connection);
const jobs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ name: 'noop', data: { i: from + i } }));
for (const [label, size, conns] of [['par1000', 1000, 1], ['par500', 500, 1], ['par250', 250, 1], ['par1000x2', 1000, 2], ['par2000', 2000, 1]] as const) {
  const qs = Array.from({ length: conns }, () => new Queue('bench', { connection, prefix: label }));
  await Promise.all(qs.map((q) => q.waitUntilReady()));
  await r.config('RESETSTAT');
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const ps = []; let k = 0; for (let i = 0; i < N; i += size) ps.push(qs[k++ % conns]!.addBulk(jobs(i, i + size))); await Promise.all(ps);
  const ms = performance.now() - t; const cpu = process.cpuUsage(cpu0);
  const stats = (await r.info('commandstats')).split('\n').filter((l) => /evalsha|eval:/.test(l));
  console.log(label, (N / ms * 1000).toFixed(0), 'jobs/s wall', ms.toFixed(0), 'node cpu ms', ((cpu.user + cpu.system) / 1000).toFixed(0), stats.join(' '));
  await qs[0]!.obliterate({ force: true }); await Promise.all(qs.map((q) => q.close()));
}
r.disconnect();
