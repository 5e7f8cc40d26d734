/**
 * A free TCP port on the loopback interface, for the private servers the workbook starts
 * (Redis, PostgreSQL, the demo app in tests and benchmarks).
 *
 * @module Processes/Free port
 */
import { createServer } from 'node:net';

/**
 * Asks the operating system for a free port on 127.0.0.1 and resolves to it. The port is free at
 * that moment; another program could take it before you listen on it, which is why the servers
 * started on it report a clear error when they fail to bind.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('the operating system gave no port'))));
    });
  });
}
