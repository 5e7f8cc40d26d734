/**
 * Nothing left running after any way of stopping: `npm test` killed with SIGKILL (vitest and its
 * private Redis and folders), and a run whose guard was killed too, cleaned by the next run.
 * Also the start-up faults: an unreachable PostgreSQL, a port in use, and a SQLite file in a missing
 * folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, utimesSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanStaleFolders, isAlive, OWNERLESS_AGE_MS, parentOf, readOwner, TEMP_PREFIX, writeOwner } from '../../src/process/orphan-guard.js';
import { waitUntil } from '../harness.js';
import { freePort } from '../../src/process/free-port.js';
import { figure, Lab, waitForExit } from './processes.js';

const lab = new Lab();
afterEach(() => lab.cleanUp());

/** `true` when `ancestor` is `pid` or one of its parents (at most 10 levels up). */
function descendsFrom(pid: number, ancestor: number): boolean {
  let current: number | undefined = pid;
  for (let level = 0; current !== undefined && current > 1 && level < 10; level++) {
    if (current === ancestor) return true;
    current = parentOf(current);
  }
  return false;
}

/** Process ids whose working directory is `dir` (Linux's /proc). */
function processesWorkingIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === dir;
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

/** `workbook-*` folders in the temporary directory whose owner is alive. */
function liveGuardedFolders(): Map<string, { owner: number; pid?: number }> {
  const found = new Map<string, { owner: number; pid?: number }>();
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(TEMP_PREFIX))) {
    const record = readOwner(join(tmpdir(), name));
    if (record && isAlive(record.owner)) found.set(join(tmpdir(), name), record);
  }
  return found;
}

describe('nothing left running', () => {
  it('after npm test is killed with SIGKILL, process group and all', async () => {
    const run = lab.spawn('npm test', 'npm', ['test', '--', 'chapter1']);
    // The run's own Redis and database folders: owned by a process under this npm (other runs
    // on the same machine have folders of their own).
    const theirs = await waitUntil(
      () => {
        const now = [...liveGuardedFolders()].filter(([dir, record]) => /(redis|test-db)-/.test(dir) && descendsFrom(record.owner, run.pid));
        return now.length >= 2 ? now : undefined;
      },
      { timeoutMs: 60_000, message: "the test run's Redis and database folders" },
    );
    run.signalGroup('SIGKILL');
    const killedAt = Date.now();
    const pids = theirs.map(([, record]) => record.pid).filter((pid): pid is number => pid !== undefined);
    expect(pids.length).toBeGreaterThanOrEqual(1); // the private redis-server
    for (const pid of pids) await waitForExit(pid, 10_000, `server ${pid} of the killed run to stop`);
    // Each guard polls its owner once a second; 20 s leaves room for a busy machine.
    await waitUntil(() => theirs.every(([dir]) => !existsSync(dir)), {
      timeoutMs: 20_000,
      message: `the killed run's folders to be removed (${theirs.map(([dir]) => dir).join(', ')})`,
    });
    figure('npm test SIGKILLed: its servers and folders gone after (s)', ((Date.now() - killedAt) / 1000).toFixed(1));
  });

  it('after the guard was killed too: the next run stops the server and removes the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}redis-`));
    const port = await freePort();
    const server = lab.spawn('left-over redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '']);
    await server.waitForLine(/Ready to accept connections/, 15_000);
    // An owner that is gone: a process that has already exited.
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    writeOwner(dir, { pid: server.pid, signal: 'SIGTERM', match: `127.0.0.1:${port}`, remove: true }, gone.pid!);
    // A folder whose owner is alive (this process) is somebody's run in progress: left alone.
    const busy = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}redis-`));
    writeOwner(busy, { remove: true });
    lab.onCleanUp(() => rmSync(busy, { recursive: true, force: true }));

    const cleaned = cleanStaleFolders();
    expect(cleaned).toContain(dir);
    expect(cleaned).not.toContain(busy);
    await waitForExit(server.pid, 10_000, 'the left-over redis-server to stop');
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(busy)).toBe(true);
  });

  it('a folder whose run was killed before it recorded an owner: removed once old, left alone while new', () => {
    const old = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}redis-`));
    const longAgo = new Date(Date.now() - OWNERLESS_AGE_MS - 60_000);
    utimesSync(old, longAgo, longAgo);
    // Made a moment ago: a run that has not written owner.json yet.
    const starting = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}redis-`));
    lab.onCleanUp(() => rmSync(starting, { recursive: true, force: true }));

    const cleaned = cleanStaleFolders();
    expect(cleaned).toContain(old);
    expect(existsSync(old)).toBe(false);
    expect(cleaned).not.toContain(starting);
    expect(existsSync(starting)).toBe(true);
  });
});

describe('start-up faults', () => {
  it('npm start with DATABASE_URL naming an unreachable PostgreSQL: a clear error, exit 1, no hang', async () => {
    const port = await freePort(); // nothing listens there
    const url = `postgres://workbook:secret@127.0.0.1:${port}/demo`;
    const startedAt = Date.now();
    const demo = lab.spawn('npm start', 'npm', ['start'], { DATABASE_URL: url, REDIS_DATA_DIR: join(lab.tempDir('redis-data'), 'redis'), PORT: String(await freePort()) });
    const { code } = await demo.exited;
    figure('npm start with an unreachable PostgreSQL: exit after (s)', ((Date.now() - startedAt) / 1000).toFixed(1));
    expect(code).toBe(1);
    const message = demo.lines.find((line) => /Cannot use the PostgreSQL database/.test(line));
    expect(message).toMatch(new RegExp(`postgres://workbook:\\*\\*\\*@127\\.0\\.0\\.1:${port}/demo`));
    expect(message).not.toMatch(/secret/);
  });

  it('npm test with DATABASE_URL naming an unreachable PostgreSQL: a clear error at once, no hang', async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const run = lab.spawn('npm test', 'npm', ['test', '--', 'chapter1'], { DATABASE_URL: `postgres://workbook@127.0.0.1:${port}/demo` });
    const { code } = await run.exited;
    const seconds = (Date.now() - startedAt) / 1000;
    figure('npm test with an unreachable PostgreSQL: exit after (s)', seconds.toFixed(1));
    expect(code).not.toBe(0);
    expect(run.lines.join('\n')).toMatch(/Cannot create a test database on PostgreSQL at postgres:\/\/workbook@127\.0\.0\.1/);
    // Vitest waits 10 s for a run that cannot exit (a server still running) before giving up.
    expect(run.lines.join('\n')).not.toMatch(/close timed out/);
    expect(seconds).toBeLessThan(10);
  });

  it('npm start on a port already in use: one sentence, exit 1, and its private Redis stopped', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    lab.onCleanUp(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as AddressInfo).port;
    const dataDir = join(lab.tempDir('redis-data'), 'redis');
    const demo = lab.spawn('npm start', 'npm', ['start'], { PORT: String(port), REDIS_DATA_DIR: dataDir });
    const { code } = await demo.exited;
    expect(code).toBe(1);
    expect(demo.lines).toContainEqual(expect.stringMatching(new RegExp(`^Cannot listen on port ${port}: .*EADDRINUSE.*\\. Set PORT to another port\\.$`)));
    // Not the start-up message, whose commands would talk to some other server on that port.
    expect(demo.lines.join('\n')).not.toMatch(/Demo app on/);
    // redis-server works in its --dir: none may be left there.
    expect(processesWorkingIn(dataDir)).toEqual([]);
  });

  it('npm run db:setup creates the missing folder of a new SQLite file', async () => {
    const file = join(lab.tempDir('sqlite'), 'missing-dir', 'nested', 'x.db');
    const setup = lab.spawn('db:setup', 'npm', ['run', 'db:setup'], { DATABASE_URL: `file:${file}` });
    const { code } = await setup.exited;
    expect(code, setup.lines.join('\n')).toBe(0);
    expect(existsSync(file)).toBe(true);
  });
});
