/**
 * `npm test -- chapter3` runs chapter 3's exercise tests, and only those: vitest filters by
 * substring, so `chapter3` alone would also pick a future `chapter30`. `npm test` runs them all.
 * Any other argument goes to vitest unchanged.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2).map((arg) => (/^chapter\d+$/.test(arg) ? `exercises/${arg}-` : arg));
const result = spawnSync('vitest', ['run', '--project', 'exercises', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
