/**
 * A real express server with the two dashboards of the demo app, on a free loopback port, for
 * the dashboard's tests (HTTP and browser).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import express from 'express';
import { mountDashboard } from '../../src/app/dashboard.js';
import type { Credentials } from '../../src/monitoring/dashboard-auth.js';
import type { TestEnv } from '../harness.js';

export const ADMIN: Credentials = { user: 'admin', password: 'admin-password-for-tests' };
export const VIEWER: Credentials = { user: 'viewer', password: 'viewer-password-for-tests' };

/** Starts the server (closed after the test) and returns its base URL. */
export async function startDashboards(env: TestEnv, queues: Queue[]): Promise<string> {
  const app = express();
  mountDashboard(app, queues, { basePath: '/admin/queues', credentials: ADMIN });
  mountDashboard(app, queues, { basePath: '/ops/queues', credentials: VIEWER, readOnly: true });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  env.track({
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The `Authorization` header for `credentials`. */
export function basic({ user, password }: Credentials): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
