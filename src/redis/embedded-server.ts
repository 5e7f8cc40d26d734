/**
 * The embedded default: a private `redis-server` on a free loopback port.
 *
 * It lets `npm test` and every example run on a machine where Redis is installed but not
 * running, and it keeps the workbook's keys away from any Redis you use for real work.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running private Redis. */
export interface EmbeddedRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Process id of `redis-server`: tests send it SIGSTOP to see how code copes with a Redis that stalls. */
  pid: number;
  /** Stops the server and removes its working folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Said when there is neither a `redis-server` binary nor a `REDIS_URL`. */
export const REDIS_NOT_INSTALLED =
  'redis-server was not found on PATH. Install it (macOS: `brew install redis`; Debian/Ubuntu: ' +
  '`sudo apt-get install redis-server`), or set REDIS_URL to a Redis you already run, e.g. ' +
  'REDIS_URL=redis://127.0.0.1:6379';

/**
 * Starts `redis-server` (from PATH, or `binary`) on a free port bound to 127.0.0.1, with no
 * persistence, and resolves once it accepts connections.
 *
 * @throws Error with {@link REDIS_NOT_INSTALLED} when the binary is missing.
 */
export async function startEmbeddedRedis(binary = 'redis-server'): Promise<EmbeddedRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'workbook-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    // Its own process group: Ctrl-C in the terminal must reach our graceful shutdown first,
    // not kill the Redis that the shutdown still needs to finish running jobs.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  try {
    await waitUntilReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // A crashed test run must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // A stopped (SIGSTOP) server only acts on SIGTERM once it runs again.
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }).then(() => rmSync(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      fail(error.code === 'ENOENT' ? new Error(REDIS_NOT_INSTALLED) : error);
    });
    child.once('exit', (code) => fail(new Error(`redis-server exited with code ${code}:\n${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
