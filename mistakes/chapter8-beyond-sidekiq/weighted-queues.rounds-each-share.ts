// Mistake: rounds each queue's share on its own, so the slots need not add up to the total
import { Worker, type Processor, type WorkerOptions } from 'bullmq';

/** A queue and its weight, as in sidekiq.yml's `queues: [[urgent, 6], [default, 3], [low, 1]]`. */
export type WeightedQueue = [name: string, weight: number];

/** Worker options for {@link startWeightedWorkers}: `concurrency` is the total to share out. */
export type WeightedWorkerOptions = Omit<WorkerOptions, 'concurrency'> & { concurrency: number };

/**
 * Shares `total` job slots out between the queues in proportion to their weights: whole numbers
 * that add up to `total`, at least one per queue (a queue with no slot would starve), the slots
 * left after rounding down going to the largest remainders.
 *
 * @throws RangeError for no queues, a duplicate name, a weight that is not a positive number, or
 * a `total` that is not a whole number at least as large as the number of queues.
 */
export function shareConcurrency(queues: readonly WeightedQueue[], total: number): number[] {
  if (queues.length === 0) throw new RangeError('no queues to share the concurrency between');
  const names = new Set<string>();
  for (const [name, weight] of queues) {
    if (names.has(name)) throw new RangeError(`queue "${name}" is listed twice`);
    names.add(name);
    if (!(Number.isFinite(weight) && weight > 0)) throw new RangeError(`queue "${name}" has weight ${weight}: weights must be positive numbers`);
  }
  if (!Number.isInteger(total) || total < queues.length) {
    throw new RangeError(`concurrency ${total} cannot give each of ${queues.length} queues at least one slot`);
  }
  const sum = queues.reduce((acc, [, weight]) => acc + weight, 0);
  const exact = queues.map(([, weight]) => (weight / sum) * total);
  const slots = exact.map((value) => Math.max(1, Math.round(value)));
  return slots;
  // Hand out (or take back) slots one at a time, by remainder, until they add up to the total.
  const byRemainder = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder);
  let left = total - slots.reduce((acc, value) => acc + value, 0);
  for (let i = 0; left > 0; i = (i + 1) % slots.length, left--) slots[byRemainder[i]!.index]!++;
  while (left < 0) {
    const largest = slots.indexOf(Math.max(...slots));
    slots[largest]!--;
    left++;
  }
  return slots;
}

/**
 * Sidekiq's weighted queues, the way that does not starve anyone: one Worker per queue, each with
 * its share of `options.concurrency` ({@link shareConcurrency}), all running `processor`.
 * Returns the Workers in the order of `queues`.
 */
export function startWeightedWorkers(queues: readonly WeightedQueue[], processor: Processor, options: WeightedWorkerOptions): Worker[] {
  const slots = shareConcurrency(queues, options.concurrency);
  return queues.map(([name], index) => new Worker(name, processor, { ...options, concurrency: slots[index]! }));
}
