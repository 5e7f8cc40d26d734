// Mistake: builds the deduplication id from whatever orderId it is given, so 0, -4 or 2.5 become jobs
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
  // Deduplication's simple mode holds the id until the job completes or fails, then lets go.
  // A fixed jobId would hold it as long as the finished job is kept in Redis.
  return queue.add('send-invoice', { orderId }, { deduplication: { id: `send-invoice-${orderId}` } });
}
