/**
 * The queue dashboard, Sidekiq::Web's counterpart: bull-board mounted on the express app.
 *
 * @module
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Express } from 'express';

/**
 * Mounts the dashboard for `queues` at `basePath`. It can retry and delete jobs, so anything
 * reachable from outside your machine must put authentication in front of it (chapter 7).
 */
export function mountDashboard(app: Express, queues: Queue[], basePath = '/admin/queues'): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  app.use(basePath, serverAdapter.getRouter());
}
