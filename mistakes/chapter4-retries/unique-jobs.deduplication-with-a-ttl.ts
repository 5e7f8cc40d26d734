// Mistake: adds a ttl to the deduplication, sidekiq-unique-jobs' until_expired: the id stays taken for the whole ttl, also after the job has run
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
  if (!Number.isInteger(orderId) || orderId < 1) {
    throw new RangeError(`orderId must be a positive whole number, got ${orderId}`);
  }
  // Deduplication's simple mode holds the id until the job completes or fails, then lets go.
  // A fixed jobId would hold it as long as the finished job is kept in Redis.
  return queue.add('send-invoice', { orderId }, { deduplication: { id: `send-invoice-${orderId}`, ttl: 60_000 } });
}
