import type { Job, Queue } from 'bullmq';

/** The payload of a `send-invoice` job. */
export interface InvoiceJobData {
  orderId: number;
}

/**
 * Enqueues a `send-invoice` job for one order, unique the way sidekiq-unique-jobs'
 * `lock: :until_executed` is: while a job for this order is waiting, delayed or running, another
 * call adds nothing and returns that job; once it has finished, a new call enqueues a new one.
 *
 * @throws RangeError when `orderId` is not a positive whole number
 */
export async function enqueueInvoice(queue: Queue, orderId: number): Promise<Job<InvoiceJobData>> {
  throw new Error('TODO(chapter 4): add a "send-invoice" job that a second call for the same order does not duplicate until the first has run');
}
