/**
 * Nothing left running, however the workbook is stopped.
 *
 * The private `redis-server` (and the tests' PostgreSQL) are child processes. A clean exit stops
 * them, but nothing runs in a process that is SIGKILLed: its children live on, holding ports and
 * temporary folders. Two defences:
 *
 * - {@link guardChild}: a tiny `sh` loop, in its own process group, that waits for the owner to
 *   die and then stops the child and removes its folder. It costs one shell and one `sleep 1`.
 * - {@link cleanStaleFolders}: every temporary folder records its owner in `owner.json`; the next
 *   run stops what a dead owner left and removes the folder (for when the guard was killed too).
 *
 * {@link guardFolder} does both, guard first: a folder whose `owner.json` exists is always watched,
 * so there is no moment at which a SIGKILL leaves a recorded server running with nobody to stop it.
 *
 * @module Processes/Orphan guard
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** What `owner.json` in a guarded folder says. */
export interface OwnerRecord {
  /** The process that made the folder; while it lives, the folder is in use. */
  owner: number;
  /** The server started in it, if any. */
  pid?: number;
  /** The signal that stops the server cleanly (SIGTERM for Redis, SIGINT for PostgreSQL). */
  signal?: NodeJS.Signals;
  /** Text the server's command line contains (Redis shows `127.0.0.1:<port>`), so a reused pid is never stopped. */
  match?: string;
  /** Remove the folder once the owner is gone (temporary folders); `false` for kept data. */
  remove: boolean;
}

/** The file in a guarded folder that names its owner. */
export const OWNER_FILE = 'owner.json';

/** Writes {@link OwnerRecord} into `dir`. */
export function writeOwner(dir: string, record: Omit<OwnerRecord, 'owner'>, owner = process.pid): void {
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ owner, ...record }));
}

/** Reads `dir`'s {@link OwnerRecord}, or `undefined` when there is none (or it is unreadable). */
export function readOwner(dir: string): OwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

/** `true` while process `pid` exists and has not exited (a zombie awaiting its parent counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all there is
  }
}

/** A running guard; {@link Guard.dispose} stops it once the child was stopped normally. */
export interface Guard {
  /** Stops the guard; the child it watched was stopped normally. */
  dispose(): void;
}

// $1 owner pid, $2 child pid (or 0), $3 signal name, $4 folder to remove (or empty).
// A killed process that nobody has reaped yet is a zombie: `kill -0` still finds it, so `alive`
// also reads its state from /proc (where there is one) and counts a zombie as gone.
const GUARD_SCRIPT = `
trap '' INT HUP
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/stat" ] || return 0
  case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" in Z*) return 1 ;; esac
  return 0
}
while alive "$1"; do sleep 1; done
if [ "$2" != 0 ]; then
  kill -s "$3" "$2" 2>/dev/null
  i=0
  while [ $i -lt 50 ] && alive "$2"; do sleep 0.1; i=$((i+1)); done
  kill -s KILL "$2" 2>/dev/null
fi
if [ -n "$4" ]; then rm -rf "$4"; fi
`;

/**
 * Starts a guard that, once this process is gone (even by SIGKILL), sends `signal` to `pid`
 * (SIGKILL after 5 s) and removes `dir`. It ignores Ctrl-C, so the owner's graceful shutdown
 * still runs first.
 */
export function guardChild({ pid = 0, signal = 'SIGTERM', dir = '' }: { pid?: number; signal?: NodeJS.Signals; dir?: string }): Guard {
  const guard = spawn('sh', ['-c', GUARD_SCRIPT, 'workbook-guard', String(process.pid), String(pid), signal.replace(/^SIG/, ''), dir], {
    detached: true,
    stdio: 'ignore',
  });
  guard.unref();
  guard.on('error', () => {}); // no sh: the next run's cleanStaleFolders still cleans up
  return {
    dispose() {
      // Its own process group: this stops the shell and its `sleep` together.
      if (guard.pid && guard.exitCode === null) {
        try {
          process.kill(-guard.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}

/**
 * Guards `dir` and then records its owner: once `owner.json` is there, a guard is watching, so a
 * SIGKILL at any moment still stops `record.pid` (when given) and removes the folder (when
 * `record.remove`). Writing the record first would leave an instant in which a killed process
 * has a recorded server and no guard; the folder would then wait for the next run's clean-up.
 */
export function guardFolder(dir: string, record: Omit<OwnerRecord, 'owner'>): Guard {
  const guard = guardChild({ pid: record.pid, signal: record.signal, dir: record.remove ? dir : '' });
  writeOwner(dir, record);
  return guard;
}

/** The prefix of every temporary folder the workbook makes. */
export const TEMP_PREFIX = 'workbook-';

/**
 * Stops and removes what runs that were killed left behind: each `workbook-*` folder in the
 * temporary directory (and each of `extraDirs`) whose `owner.json` names a process that no longer
 * exists. Its server is stopped when its command line still shows the recorded `match` (so a
 * reused pid is never touched); temporary folders are removed. A temporary folder without
 * `owner.json` is somebody's run starting up, unless it is of a kind that records one and older than {@link OWNERLESS_AGE_MS}:
 * then its run was killed in the instant between making it and recording its owner.
 *
 * @returns the folders cleaned
 */
export function cleanStaleFolders(extraDirs: string[] = [], now = Date.now()): string[] {
  const root = tmpdir();
  const candidates = [
    ...(existsSync(root) ? readdirSync(root).filter((name) => name.startsWith(TEMP_PREFIX)).map((name) => join(root, name)) : []),
    ...extraDirs,
  ];
  const cleaned: string[] = [];
  for (const dir of candidates) {
    const record = readOwner(dir);
    if (!record && !extraDirs.includes(dir) && isOwnerlessLeftover(dir, now)) {
      rmSync(dir, { recursive: true, force: true });
      cleaned.push(dir);
    }
    if (!record || isAlive(record.owner)) continue;
    if (record.pid && record.match && isAlive(record.pid) && commandLine(record.pid).includes(record.match)) {
      stopAndWait(record.pid, record.signal ?? 'SIGTERM');
    }
    if (record.remove) rmSync(dir, { recursive: true, force: true });
    else rmSync(join(dir, OWNER_FILE), { force: true });
    cleaned.push(dir);
  }
  return cleaned;
}

/** How old a temporary folder without `owner.json` must be before {@link cleanStaleFolders} removes it. */
export const OWNERLESS_AGE_MS = 10 * 60_000;

/** The temporary folders that always record an owner once started; others (a test's scratch folder) are never judged ownerless. */
const OWNER_RECORDING_KINDS = ['redis-', 'postgres-', 'example-', 'test-db-', 'learn-'].map((kind) => TEMP_PREFIX + kind);

function isOwnerlessLeftover(dir: string, now: number): boolean {
  if (!OWNER_RECORDING_KINDS.some((kind) => basename(dir).startsWith(kind))) return false;
  try {
    const stats = statSync(dir);
    return stats.isDirectory() && now - stats.mtimeMs > OWNERLESS_AGE_MS && !existsSync(join(dir, OWNER_FILE));
  } catch {
    return false; // removed meanwhile
  }
}

/** The command line of `pid` (from /proc on Linux, `ps` elsewhere); '' when unknown. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    if (existsSync('/proc/self')) return '';
    const result = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : '';
  }
}

/** Sends `signal`, waits up to 10 s for the process to go, then SIGKILLs it. */
export function stopAndWait(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  // Synchronous on purpose: this runs once at start-up, before anything else uses the folder.
  while (isAlive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Calls `onGone` once when this process's parent exits (it is then adopted by another process,
 * so its parent pid changes). `npm run worker` stopped by a SIGKILL of npm, or a terminal closed
 * under it, would otherwise leave the worker running on, unseen. npm runs scripts through `sh`,
 * which outlives npm, so when the parent is a shell its own parent is watched as well. Polls
 * every `everyMs`; the timer never keeps the process alive. Returns a function that stops watching.
 */
export function watchParent(onGone: () => void, everyMs = 1000): () => void {
  const parent = process.ppid;
  const grandparent = /^(sh|dash|bash|zsh)$/.test(processName(parent)) ? parentOf(parent) : undefined;
  const timer = setInterval(() => {
    if (process.ppid !== parent || (grandparent !== undefined && parentOf(parent) !== grandparent)) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs).unref();
  return () => clearInterval(timer);
}

/** The parent pid of `pid` (from /proc on Linux, `ps` elsewhere); `undefined` once it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (name) state ppid …"; the name may hold spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    if (existsSync('/proc/self')) return undefined;
    const result = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
    const ppid = Number(result.stdout.trim());
    return result.status === 0 && ppid > 0 ? ppid : undefined;
  }
}

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    const result = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim().replace(/^.*\//, '') : '';
  }
}
