/**
 * Chapter 4: Sidekiq's 25 retries next to BullMQ's `exponential` backoff, step by step.
 *
 *   npx tsx tutorials/04-retries/example-schedule.ts
 *
 * Pure arithmetic: no Redis, no database. The exponential column comes from BullMQ's own
 * built-in strategy, so it is exactly what a Worker would wait.
 */
import { Backoffs } from 'bullmq';
import {
  SIDEKIQ_DEFAULT_RETRIES,
  sidekiqRetryDelayRange,
} from '../../src/retries/sidekiq-backoff.js';

/** `{ type: 'exponential', delay: 15_000 }`: the same first wait as Sidekiq, then doubling. */
const exponential = Backoffs.builtinStrategies.exponential!(15_000);

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 2 * 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds < 730 * 86_400) return `${(seconds / 86_400).toFixed(1)} d`;
  return `${(seconds / (365 * 86_400)).toFixed(1)} years`;
}

const row = (...cells: string[]) => console.log(cells.map((cell, i) => (i === 0 ? cell.padStart(5) : cell.padStart(20))).join(''));

row('retry', 'Sidekiq wait', 'Sidekiq total (min)', 'exponential wait', 'exponential total');
let sidekiqMin = 0;
let sidekiqMax = 0;
let exponentialTotal = 0;
for (let count = 0; count < SIDEKIQ_DEFAULT_RETRIES; count++) {
  const { min, max } = sidekiqRetryDelayRange(count);
  sidekiqMin += min;
  sidekiqMax += max;
  // BullMQ passes attemptsMade, which is Sidekiq's count + 1.
  const waitMs = await exponential(count + 1);
  exponentialTotal += waitMs / 1000;
  row(String(count + 1), `${min}-${max} s`, duration(sidekiqMin), duration(waitMs / 1000), duration(exponentialTotal));
}

console.log(`\nSidekiq: count**4 + 15 s + rand(10 * (count + 1)) s of jitter (Sidekiq 8), count = 0 on the first retry.`);
const days = (seconds: number) => (seconds / 86_400).toFixed(2);
console.log(`25 retries take ${days(sidekiqMin)} to ${days(sidekiqMax)} days (${sidekiqMin}-${sidekiqMax} s): "about 20 days".`);
console.log(`BullMQ exponential doubles every time: 2 ** (attemptsMade - 1) * delay. With delay 15 s the`);
console.log(`25th wait alone is ${duration((await exponential(25)) / 1000)}; to stay within days, cap attempts or use Sidekiq's curve.`);
