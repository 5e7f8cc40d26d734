/**
 * A throwaway copy of the workbook, for tests and benchmarks that drive `npm run learn` end to
 * end: they save exercise files, write progress and reset files, none of which may touch the
 * learner's own checkout.
 *
 * The copy has the workbook's files (those git tracks or would) as they are on disk (so it tests the code being
 * worked on), every exercise starter as git's HEAD has it (so a learner's solved exercises do
 * not leak in), the generated Prisma client, a symlink to node_modules, and a git repository of
 * its own with one commit (so `reset` has a HEAD to restore from). It lives in the system's
 * temporary folder under the orphan guard's prefix: a run that is killed leaves it to the next
 * run's clean-up.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TEMP_PREFIX, writeOwner } from '../src/process/orphan-guard.js';
import { listExercises } from './workbook-layout.js';

/** A copy made by {@link copyWorkbook}. */
export interface WorkbookCopy {
  /** Its folder. */
  readonly root: string;
  /** Deletes the copy. */
  remove(): void;
}

/** Copies the workbook in `root` (see the module comment for what the copy holds). */
export function copyWorkbook(root: string): WorkbookCopy {
  const copy = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}learn-`));
  try {
    writeOwner(copy, { remove: true });
    for (const file of trackedFiles(root)) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      if (existsSync(join(root, file))) cpSync(join(root, file), join(copy, file));
    }
    cpSync(join(root, 'src', 'generated'), join(copy, 'src', 'generated'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    for (const exercise of listExercises(root)) {
      const starter = spawnSync('git', ['show', `HEAD:${exercise.starter}`], { cwd: root });
      if (starter.status === 0) writeFileSync(join(copy, exercise.starter), starter.stdout);
    }
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=workbook', '-c', 'user.email=workbook@example.invalid', ...args], { cwd: copy });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '--no-verify', '-m', 'workbook copy');
  } catch (error) {
    rmSync(copy, { recursive: true, force: true });
    throw error;
  }
  return { root: copy, remove: () => rmSync(copy, { recursive: true, force: true }) };
}

/** The workbook's files: tracked by git, or new and not ignored (work in progress is tested too). */
function trackedFiles(root: string): string[] {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (listed.status === 0) return listed.stdout.split('\0').filter(Boolean);
  throw new Error(`copyWorkbook needs a git checkout: git ls-files failed in ${root}: ${listed.stderr || listed.error?.message}`);
}
