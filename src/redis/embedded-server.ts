/**
 * The embedded default: a private `redis-server` on a free loopback port.
 *
 * It lets `npm test` and every example run on a machine where Redis is installed but not
 * running, and it keeps the workbook's keys away from any Redis you use for real work.
 *
 * @module Redis/Private Redis server
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanStaleFolders, guardFolder, isAlive, OWNER_FILE, readOwner, TEMP_PREFIX } from '../process/orphan-guard.js';
import { freePort } from '../process/free-port.js';
import { isRedisTooOld, MINIMUM_REDIS_VERSION, REDIS_UPGRADE_ADVICE } from './version.js';

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

/** Options of {@link startEmbeddedRedis}. */
export interface EmbeddedRedisOptions {
  /** The `redis-server` binary (default: from PATH). */
  binary?: string;
  /**
   * Keep the data here, across restarts: an append-only file written every second
   * (`appendonly yes`, `appendfsync everysec`, as BullMQ's production guide advises). Without it,
   * the server keeps nothing (tests, examples) and its folder is temporary.
   */
  dataDir?: string;
}

/**
 * Starts `redis-server` on a free port bound to 127.0.0.1 and resolves once it accepts
 * connections. With `dataDir` it persists to an append-only file there; otherwise it keeps
 * nothing. A guard process stops the server if this process dies without stopping it (even by
 * SIGKILL), and leftovers of earlier runs that were killed are cleaned first.
 *
 * @throws Error with {@link REDIS_NOT_INSTALLED} when the binary is missing, one that says how to
 *   upgrade when it is older than Redis 7.0, or one when `dataDir` is in use by another live process.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions | string = {}): Promise<EmbeddedRedis> {
  const { binary = 'redis-server', dataDir } = typeof options === 'string' ? { binary: options } : options;
  checkServerVersion(binary);
  const persistent = dataDir !== undefined;
  const dir = persistent ? resolve(dataDir) : mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}redis-`));
  cleanStaleFolders(persistent ? [dir] : []);
  if (persistent) {
    mkdirSync(dir, { recursive: true });
    const owner = readOwner(dir);
    if (owner && isAlive(owner.owner)) {
      throw new Error(`The Redis data folder ${dir} is in use by process ${owner.owner} (another npm start?). Stop it first.`);
    }
  }
  const port = await freePort();
  const persistence = persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
    : ['--save', '', '--appendonly', 'no'];
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--dir', dir],
    // Its own process group: Ctrl-C in the terminal must reach our graceful shutdown first,
    // not kill the Redis that the shutdown still needs to finish running jobs.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // SIGKILL runs no handler: the guard notices and stops the server. It watches from the moment
  // the server exists, so a kill while Redis is still starting leaves nothing running either.
  const guard = guardFolder(dir, { pid: child.pid!, signal: 'SIGTERM', match: `127.0.0.1:${port}`, remove: !persistent });
  try {
    await waitUntilReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    guard.dispose();
    if (persistent) rmSync(join(dir, OWNER_FILE), { force: true });
    else rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // A crash that still runs exit handlers need not wait for the guard.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // A stopped (SIGSTOP) server only acts on SIGTERM once it runs again.
        child.kill('SIGCONT');
        // SIGTERM: Redis writes its append-only file and exits.
        child.kill('SIGTERM');
      }).then(() => {
        guard.dispose();
        if (persistent) rmSync(join(dir, OWNER_FILE), { force: true });
        else rmSync(dir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

/** Refuses a missing or too-old `redis-server` before anything is started or written. */
function checkServerVersion(binary: string): void {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(REDIS_NOT_INSTALLED);
  const version = /\bv=(\S+)/.exec(result.stdout ?? '')?.[1];
  if (version && isRedisTooOld(version)) {
    throw new Error(
      `${binary} is Redis ${version}, older than the ${MINIMUM_REDIS_VERSION} the workbook needs. ` +
        `${REDIS_UPGRADE_ADVICE}, or set REDIS_URL to a newer Redis you already run.`,
    );
  }
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    // A missing binary was reported by checkServerVersion before the spawn.
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`redis-server exited with code ${code}:\n${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout?.removeAllListeners('data');
        child.stderr?.removeAllListeners('data');
        // Keep reading (and dropping) its output: a full pipe would block the server.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

