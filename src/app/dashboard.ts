/**
 * The queue dashboard, Sidekiq::Web's counterpart: bull-board mounted on the express app,
 * always behind a login (chapter 7).
 *
 * @module Demo app/Queue dashboard
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Express } from 'express';
import { requireBasicAuth, sameOriginWrites, type Credentials } from '../monitoring/dashboard-auth.js';

/** Options of {@link mountDashboard}. */
export interface DashboardOptions {
  /** Where to mount it, e.g. `/admin/queues`. */
  basePath: string;
  /** Who may open it. There is no way to mount the dashboard without a login. */
  credentials: Credentials;
  /**
   * `true` for people who may look but not touch: bull-board hides the buttons and its API
   * answers 405 to every retry, delete, clean, pause or add.
   */
  readOnly?: boolean;
  /** Title shown at the top of the page. */
  title?: string;
}

/**
 * Mounts bull-board for `queues` at `options.basePath`, behind Basic authentication and
 * {@link sameOriginWrites} (a logged-in browser cannot be made to retry or delete jobs by
 * another site). Each mount has its own login realm, so the browser keeps their logins apart.
 */
export function mountDashboard(app: Express, queues: Queue[], options: DashboardOptions): void {
  const { basePath, credentials, readOnly = false } = options;
  const title = options.title ?? (readOnly ? 'Queues (read-only)' : 'Queues');
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: title } },
  });
  app.use(basePath, requireBasicAuth(credentials, { realm: `${title} at ${basePath}` }), sameOriginWrites(), serverAdapter.getRouter());
}
