import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { startWorkers } from './start-workers.js';

const env = useTestEnv();

function queue(name: string) {
  return env.track(new Queue(name, { connection: env.connection, prefix: env.prefix }));
}

describe('startWorkers', () => {
  it('starts one worker per configured queue', async () => {
    const [critical, defaults] = [queue('critical'), queue('default')];
    const workers = startWorkers({ connection: env.connection, prefix: env.prefix, concurrency: 1, queues: ['critical', 'default'] }, async () => 'done');
    workers.forEach((worker) => env.track(worker));

    expect(workers.map((worker) => worker.name).sort()).toEqual(['critical', 'default']);
    await critical.add('a', {});
    await defaults.add('b', {});
    await waitUntil(async () => (await critical.getCompletedCount()) === 1 && (await defaults.getCompletedCount()) === 1, {
      message: 'a job on each queue to complete',
    });
  });

  it('runs as many jobs at once as the concurrency setting says', async () => {
    const reports = queue('reports');
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const workers = startWorkers({ connection: env.connection, prefix: env.prefix, concurrency: 3, queues: ['reports'] }, () => gate);
    workers.forEach((worker) => env.track(worker));
    env.track({ close: async () => openGate() }); // closed before the workers: they wait for their running jobs

    await reports.addBulk([1, 2, 3, 4].map((n) => ({ name: 'report', data: { n } })));
    await waitUntil(async () => (await reports.getActiveCount()) === 3, { message: '3 jobs active at once' });
    expect(await reports.getWaitingCount()).toBe(1);
    openGate();
    await waitUntil(async () => (await reports.getCompletedCount()) === 4, { message: 'all 4 jobs to complete' });
  });
});
