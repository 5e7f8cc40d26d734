/**
 * Stops when the workbook's folder cannot be written by the user running it, with a sentence
 * instead of a permission error from deep inside vite, Prisma or redis-server.
 *
 * A checkout that someone else owns (cloned with `sudo`, or built as root in a container and run
 * as a normal user) installs and reads fine, but every command writes into it: vitest compiles its
 * config beside `vitest.config.ts`, `npm start` keeps Redis's data in `.data/`, the database lives
 * in `prisma/`, and the exercises are the learner's to edit. `npm test` checks first (its `pretest`
 * script), and so do `npm run learn`, `npm start`, `npm run worker`, `npm run verify` and the
 * database scripts, by importing this module right after the Node version check.
 *
 * @module Processes/Writable checkout
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The folders, relative to the workbook's root, that its commands write into. */
export const WRITTEN_FOLDERS = ['.', 'prisma', 'exercises'] as const;

/** Whether this process may create files in `dir`; root may, whatever the mode says. */
function canWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The sentence said when the workbook at `root`, or one of its {@link WRITTEN_FOLDERS}, cannot be
 * written, or `undefined` when all can. The sentence names the folder and says how to fix it.
 */
export function checkoutWriteProblem(root: string, writable: (dir: string) => boolean = canWrite): string | undefined {
  const folder = WRITTEN_FOLDERS.map((name) => resolve(root, name)).find(
    (dir) => existsSync(dir) && !writable(dir),
  );
  if (!folder) return undefined;
  return (
    `You cannot write to ${folder}, and the workbook writes there as it runs (the exercises you edit, ` +
    'the database, Redis\'s data, vitest\'s compiled config): take the folder with ' +
    `\`sudo chown -R "$(whoami)" ${resolve(root)}\`, or clone the workbook into a folder you own, ` +
    'run `npm install` there, and try again.'
  );
}

const problem = checkoutWriteProblem(resolve(import.meta.dirname, '../..'));
if (problem) {
  console.error(problem);
  process.exit(1);
}
