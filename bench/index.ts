/**
 * `npm run bench`: the workbook's benchmarks. They measure and print; they are never tests.
 *
 *   npm run bench             every benchmark below, one after the other
 *   npm run bench -- queries  what chapter 6's query-counting helper costs per query
 *   npm run bench -- load     the demo app under concurrent POSTs: throughput, latency, lost/doubled
 *   npm run bench -- queues   BullMQ enqueue and processing beside redis-benchmark and, when Ruby and
 *                             Sidekiq are installed, real Sidekiq (chapter 8)
 *   npm run bench -- learner  how long a learner waits: npm test -- chapterN per chapter, and the
 *                             watch mode of npm run learn from saving a file to the verdict
 *   npm run bench -- mistakes how many recorded mistakes a learner's run names, put in place one
 *                             at a time, and that solutions and starters are never named
 *
 * Each runs in a process of its own, so one's warm-up or leftover hooks cannot colour another's figures.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches: Record<string, string> = {
  queries: 'queries.ts',
  load: 'load.ts',
  queues: 'queues.ts',
  learner: 'learner.ts',
  mistakes: 'mistakes.ts',
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}. Choose from: ${Object.keys(benches).join(', ')} (or none for all).`);
  process.exit(2);
}
let status = 0;
for (const name of asked.length > 0 ? asked : Object.keys(benches)) {
  console.log(`\n=== npm run bench -- ${name}\n`);
  const file = fileURLToPath(new URL(benches[name]!, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  status ||= result.status ?? 1;
}
process.exit(status);
