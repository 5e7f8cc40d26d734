/**
 * A throwaway PostgreSQL server for the test runs, examples and benches: Debian's binaries, a
 * temporary data folder, a free loopback port, stopped and deleted afterwards.
 *
 * @module Database/Private PostgreSQL
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from '../process/free-port.js';
import { guardFolder, TEMP_PREFIX } from '../process/orphan-guard.js';

/** Said when there are no PostgreSQL server binaries. */
export const POSTGRES_NOT_INSTALLED =
  'No PostgreSQL server binaries (initdb, postgres) on PATH or under /usr/lib/postgresql/*/bin. ' +
  'Install them (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install postgresql), ' +
  'or set DATABASE_URL=postgres://… to a server whose user may create databases.';

/** A running private server. */
export interface PrivatePostgres {
  /** `postgres://workbook@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stops the server and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** `initdb` and `postgres` from PATH or Debian's versioned folders, newest first; `undefined` when absent. */
export function findPostgresBinaries(): { initdb: string; postgres: string } | undefined {
  const fromPath = (process.env.PATH ?? '').split(delimiter).map((folder) => join(folder, 'initdb')).find((file) => existsSync(file));
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)).map((v) => join('/usr/lib/postgresql', v, 'bin'))
    : [];
  for (const folder of [...(fromPath ? [dirname(realpathSync(fromPath))] : []), ...debian]) {
    const binaries = { initdb: join(folder, 'initdb'), postgres: join(folder, 'postgres') };
    if (existsSync(binaries.initdb) && existsSync(binaries.postgres)) return binaries;
  }
  return undefined;
}

/**
 * Starts a private PostgreSQL (as the `postgres` user when running as root, which PostgreSQL
 * refuses) with durability switched off for speed, and resolves once it accepts connections.
 * Its server log is kept in its folder and quoted when it fails to start. If this process is
 * killed, an orphan guard stops the server and removes the folder.
 *
 * @throws Error with {@link POSTGRES_NOT_INSTALLED} when the binaries are missing.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const binaries = findPostgresBinaries();
  if (!binaries) throw new Error(POSTGRES_NOT_INSTALLED);
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}postgres-`));
  const data = join(dir, 'data');
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const as = owner ?? {};

  const init = spawnSync(binaries.initdb, ['-D', data, '-U', 'workbook', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...as,
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${binaries.initdb}):\n${init.stderr || init.error?.message}`);
  }

  const port = await freePort();
  const logFile = join(dir, 'postgres.log');
  const log = createWriteStream(logFile);
  const server: ChildProcess = spawn(
    binaries.postgres,
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    { ...as, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  // If this process is SIGKILLed, the guard stops the server (fast shutdown) and removes the folder.
  const guard = guardFolder(dir, { pid: server.pid!, signal: 'SIGINT', match: dir, remove: true });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT'); // PostgreSQL's "fast" shutdown
        const killer = setTimeout(() => server.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      log.end();
      rmSync(dir, { recursive: true, force: true });
      guard.dispose();
    })());

  const url = `postgres://workbook@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return { url, stop };
    } catch (error) {
      await client.end().catch(() => {});
      if (server.exitCode !== null || Date.now() > deadline) {
        const output = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
        await stop();
        throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function systemUser(name: string): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`Running as root, but there is no "${name}" user to run PostgreSQL as (PostgreSQL refuses to run as root)`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
