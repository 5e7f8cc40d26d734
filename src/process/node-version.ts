/**
 * Stops on a Node.js older than the workbook needs, with a sentence instead of a crash.
 *
 * Every entry point (`npm run learn`, `npm test`'s vitest config, `npm start`, `npm run worker`,
 * `npm run verify`, the install scripts and benchmarks, and the database modules the tutorials'
 * examples load) imports this module first. Below 22.12, better-sqlite3's native module crashes
 * with a segmentation fault instead of an error, so the check has to run before it loads.
 * `npm install` itself is refused earlier, by `engine-strict=true` in `.npmrc`.
 *
 * @module Processes/Node version check
 */

/** The oldest Node.js the workbook runs on; package.json's `engines` says the same (a test checks). */
export const NODE_FLOOR = '22.12';

/**
 * The sentence said on a Node.js older than {@link NODE_FLOOR}, or `undefined` when `version`
 * (default: the running one) is new enough.
 */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [floorMajor = 0, floorMinor = 0] = NODE_FLOOR.split('.').map(Number);
  if (major > floorMajor || (major === floorMajor && minor >= floorMinor)) return undefined;
  return (
    `This workbook needs Node.js ${NODE_FLOOR} or later and found ${version.replace(/^v?/, 'v')}: ` +
    'install Node 22 or 24 with `nvm install 22`, `fnm install 22`, `volta install node@22` or an installer ' +
    'from https://nodejs.org/en/download, open a new shell, and run `npm install` again.'
  );
}

const problem = nodeVersionProblem();
if (problem) {
  console.error(problem);
  process.exit(1);
}
