import { Queue, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { shareConcurrency, startWeightedWorkers, type WeightedQueue } from './weighted-queues.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });
const SIDEKIQ_YML: WeightedQueue[] = [['urgent', 6], ['default', 3], ['low', 1]];

it('shares the concurrency by weight, in whole slots that add up to the total', () => {
  expect(shareConcurrency(SIDEKIQ_YML, 10)).toEqual([6, 3, 1]);
  expect(shareConcurrency(SIDEKIQ_YML, 20)).toEqual([12, 6, 2]);
  expect(shareConcurrency(SIDEKIQ_YML, 7)).toEqual([4, 2, 1]);
  expect(shareConcurrency([['mailers', 1], ['exports', 1]], 5).reduce((a, b) => a + b)).toBe(5);
});

it('gives every queue at least one slot, so none starves', () => {
  expect(shareConcurrency(SIDEKIQ_YML, 3)).toEqual([1, 1, 1]);
  expect(shareConcurrency([['urgent', 100], ['low', 1]], 4)).toEqual([3, 1]);
});

it('refuses what cannot be shared with a RangeError', () => {
  expect(() => shareConcurrency([], 5)).toThrow(RangeError);
  expect(() => shareConcurrency(SIDEKIQ_YML, 2)).toThrow(RangeError);
  expect(() => shareConcurrency(SIDEKIQ_YML, 7.5)).toThrow(RangeError);
  expect(() => shareConcurrency([['urgent', 6], ['low', 0]], 5)).toThrow(RangeError);
  expect(() => shareConcurrency([['urgent', 6], ['low', -1]], 5)).toThrow(RangeError);
  expect(() => shareConcurrency([['urgent', 6], ['low', Number.NaN]], 5)).toThrow(RangeError);
  expect(() => shareConcurrency([['urgent', Number.POSITIVE_INFINITY], ['low', 1]], 5)).toThrow(RangeError);
  expect(() => shareConcurrency([['urgent', 6], ['urgent', 1]], 5)).toThrow(RangeError);
});

it('runs one Worker per queue, each at most its share at once, all queues moving together', async () => {
  const running: Record<string, number> = { urgent: 0, default: 0, low: 0 };
  const most: Record<string, number> = { urgent: 0, default: 0, low: 0 };
  const done: Record<string, number> = { urgent: 0, default: 0, low: 0 };
  const queues = Object.fromEntries(SIDEKIQ_YML.map(([name]) => [name, env.track(new Queue(name, options()))]));
  for (const [name] of SIDEKIQ_YML) {
    await queues[name]!.addBulk(Array.from({ length: 60 }, (_, index) => ({ name: 'work', data: { index } })));
  }
  let urgentDrainedWith: Record<string, number> | undefined;

  const workers = startWeightedWorkers(
    SIDEKIQ_YML,
    async (job: Job) => {
      const queue = job.queueName;
      most[queue] = Math.max(most[queue]!, ++running[queue]!);
      await new Promise((resolve) => setTimeout(resolve, 10)); // the job's work
      running[queue]!--;
      done[queue] = done[queue]! + 1;
      if (done[queue] === 60 && queue === 'urgent') urgentDrainedWith = { ...done };
    },
    { ...options(), concurrency: 10 },
  );
  for (const worker of workers) env.track(worker);

  expect(workers.map((worker) => [worker.name, worker.concurrency])).toEqual([['urgent', 6], ['default', 3], ['low', 1]]);
  await waitUntil(() => urgentDrainedWith, { message: 'the urgent queue to drain', timeoutMs: 10_000 });
  expect(most.urgent).toBeLessThanOrEqual(6);
  expect(most.default).toBeLessThanOrEqual(3);
  expect(most.low).toBe(1);
  // Unlike priorities, the low queue is served while urgent work is waiting.
  expect(urgentDrainedWith!.low).toBeGreaterThan(0);
  expect(urgentDrainedWith!.urgent).toBeGreaterThan(urgentDrainedWith!.default!);
  expect(urgentDrainedWith!.default).toBeGreaterThan(urgentDrainedWith!.low!);
});
