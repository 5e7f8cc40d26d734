import type { Processor, Worker, WorkerOptions } from 'bullmq';

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
  throw new Error('TODO(chapter 8): check the queues and the total, then share the total out by weight: whole numbers, at least 1 each, adding up to the total');
}

/**
 * Sidekiq's weighted queues, the way that does not starve anyone: one Worker per queue, each with
 * its share of `options.concurrency` ({@link shareConcurrency}), all running `processor`.
 * Returns the Workers in the order of `queues`.
 */
export function startWeightedWorkers(queues: readonly WeightedQueue[], processor: Processor, options: WeightedWorkerOptions): Worker[] {
  throw new Error('TODO(chapter 8): one Worker per queue, each with its share of options.concurrency');
}
