import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  SIDEKIQ_DEFAULT_RETRIES,
  sidekiqBackoffStrategy,
  sidekiqRetryDelayRange,
  sidekiqRetryDelaySeconds,
} from '../src/retries/sidekiq-backoff.js';
import { useTestEnv } from './harness.js';

const env = useTestEnv();

const lowest = () => 0;
/** The largest double below 1: `Math.random` can return it, so the top jitter must be reachable. */
const highest = () => 1 - 2 ** -53;
const DAY = 24 * 60 * 60;

describe('sidekiqRetryDelaySeconds', () => {
  it('waits 15 to 24 seconds before the first retry (count 0), not 16', () => {
    expect(sidekiqRetryDelaySeconds(0, lowest)).toBe(15);
    expect(sidekiqRetryDelaySeconds(0, highest)).toBe(24);
  });

  it.each(Array.from({ length: SIDEKIQ_DEFAULT_RETRIES }, (_, count) => count))(
    'keeps retry %i within count**4 + 15 and count**4 + 15 + 10 * (count + 1) - 1',
    (count) => {
      const base = count ** 4 + 15;
      const top = base + 10 * (count + 1) - 1;
      expect(sidekiqRetryDelaySeconds(count, lowest)).toBe(base);
      expect(sidekiqRetryDelaySeconds(count, highest)).toBe(top);
      expect(sidekiqRetryDelayRange(count)).toEqual({ min: base, max: top });
      for (const roll of [0.1, 0.5, 0.9]) {
        const delay = sidekiqRetryDelaySeconds(count, () => roll);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(top);
      }
    },
  );

  it('spreads 25 retries over about 20 days, as Sidekiq documents', () => {
    const counts = Array.from({ length: SIDEKIQ_DEFAULT_RETRIES }, (_, count) => count);
    const shortest = counts.reduce((sum, count) => sum + sidekiqRetryDelaySeconds(count, lowest), 0);
    const longest = counts.reduce((sum, count) => sum + sidekiqRetryDelaySeconds(count, highest), 0);
    // sum of count**4 for 0..24 is 1,763,020; plus 25 * 15; jitter adds at most sum(10 * (c + 1) - 1) = 3,225.
    expect(shortest).toBe(1_763_395);
    expect(longest).toBe(1_766_620);
    expect(shortest / DAY).toBeGreaterThan(20.4);
    expect(longest / DAY).toBeLessThan(20.5);
  });

  it('rejects a count that is not a whole number of 0 or more, and a random source out of range', () => {
    expect(() => sidekiqRetryDelaySeconds(-1)).toThrow(/whole number of 0 or more.*got -1/);
    expect(() => sidekiqRetryDelaySeconds(1.5)).toThrow(/got 1.5/);
    expect(() => sidekiqRetryDelaySeconds(0, () => 1)).toThrow(/\[0, 1\)/);
    expect(() => sidekiqRetryDelaySeconds(0, () => Number.NaN)).toThrow(/\[0, 1\)/);
  });
});

describe('sidekiqBackoffStrategy', () => {
  it("turns BullMQ's attemptsMade (1 before the first retry) into Sidekiq's count (0)", () => {
    const strategy = sidekiqBackoffStrategy({ random: lowest });
    expect(strategy(1)).toBe(15_000);
    expect(strategy(2)).toBe(16_000);
    expect(strategy(3)).toBe(31_000);
  });

  it('scales seconds to milliseconds as told, so tests can run the real schedule fast', () => {
    expect(sidekiqBackoffStrategy({ msPerSecond: 1, random: highest })(1)).toBe(24);
    expect(() => sidekiqBackoffStrategy({ msPerSecond: 0 })).toThrow(/more than 0/);
  });

  it('drives a real Worker: each retry waits the delay Sidekiq would, in milliseconds', async () => {
    const queue = env.track(new Queue('sidekiq-schedule', { connection: env.connection, prefix: env.prefix }));
    const events = env.track(new QueueEvents('sidekiq-schedule', { connection: env.connection, prefix: env.prefix }));
    const startedAt: number[] = [];
    env.track(
      new Worker(
        'sidekiq-schedule',
        async () => {
          startedAt.push(Date.now());
          throw new Error('still broken');
        },
        {
          connection: env.connection,
          prefix: env.prefix,
          settings: { backoffStrategy: sidekiqBackoffStrategy({ msPerSecond: 1, random: lowest }) },
        },
      ),
    );
    await events.waitUntilReady();
    const job = await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'custom' } });
    await expect(job.waitUntilFinished(events, 5000)).rejects.toThrow('still broken');

    expect(startedAt).toHaveLength(3);
    // Retries 0 and 1 wait 15 and 16 "seconds" (ms here); Redis may only make them later, never sooner.
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(15);
    expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(16);
    expect((await queue.getJob(job.id!))?.attemptsMade).toBe(3);
  });
});
