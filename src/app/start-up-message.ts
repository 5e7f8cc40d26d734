/**
 * What `npm start` prints once it listens: where it runs, commands to try that follow the task
 * the learner creates, the dashboards' logins, and the line that starts a second worker on the
 * same Redis. Every indented command works pasted as is into bash or zsh, so explanations stay
 * on lines of their own (zsh does not take `#` comments on the command line by default).
 *
 * @module Demo app/Start-up message
 */
import type { DashboardCredentials } from '../monitoring/dashboard-auth.js';
import { TASKS_QUEUE } from './task-jobs.js';

/** What {@link startUpMessage} reports. */
export interface StartUpInfo {
  /** The app's address, e.g. `http://127.0.0.1:3000`. */
  base: string;
  /** The Redis the app and its worker use. */
  redisUrl: string;
  /** Where the private `redis-server` keeps its data; unset when `REDIS_URL` named a Redis of yours. */
  redisDataDir?: string;
  /** `DATABASE_URL` when it was set: a second worker must use the same database. */
  databaseUrl?: string;
  /** The full dashboard's login. */
  admin: DashboardCredentials;
  /** The read-only dashboard's login. */
  viewer: DashboardCredentials;
  /** Product 1's ETag, for the conditional GET; unset when there is no product 1. */
  product1ETag?: string;
  /** Seconds running jobs get to finish on Ctrl-C. */
  shutdownTimeoutSeconds: number;
}

/** The start-up message of `npm start`, one string per line. */
export function startUpMessage(info: StartUpInfo): string[] {
  const { base, admin, viewer } = info;
  const redis = info.redisDataDir ? `private redis-server at ${info.redisUrl}, data kept in ${info.redisDataDir}` : info.redisUrl;
  const login = (who: DashboardCredentials, variable: string) =>
    `user "${who.user}", password "${who.password}"` +
    (who.generated ? ` (made up for this run; set ${variable}_PASSWORD to choose one)` : ` (from ${variable}_USER/${variable}_PASSWORD)`);
  const workerEnv = [`REDIS_URL=${shellWord(info.redisUrl)}`];
  if (info.databaseUrl) workerEnv.push(`DATABASE_URL=${shellWord(info.databaseUrl)}`);
  const body = shellWord(JSON.stringify({ title: 'Say hello' }));
  return [
    `Demo app on ${base} (Redis: ${redis})`,
    'Try it from a second terminal (bash or zsh). The lines indented by four spaces are commands: paste them as they are.',
    '  Create a task. The answer holds its taskId and jobId, and $id keeps the task id for the next lines:',
    `    task=$(curl -s -X POST ${base}/tasks -H 'content-type: application/json' -d ${body}); echo "$task"`,
    `    id=$(echo "$task" | grep -o '"taskId":[0-9]*' | cut -d: -f2)`,
    '  Your task, the log row its job wrote and the job\'s state (and a Server-Timing header):',
    `    curl -i ${base}/tasks/$id`,
    '  The address of its job on the dashboard, to open in a browser:',
    // taskJobId()'s form, with the shell's $id in it.
    `    echo ${base}/admin/queues/queue/${TASKS_QUEUE}/task-$id`,
    ...(info.product1ETag
      ? [
          '  A product from the cache, then asked again with its ETag (304 until product 1 changes):',
          `    curl -i ${base}/products/1`,
          `    curl -i ${base}/products/1 -H ${shellWord(`If-None-Match: ${info.product1ETag}`)}`,
        ]
      : []),
    '  Health, queue stats (Sidekiq::Stats) and Prometheus metrics:',
    `    curl ${base}/health`,
    `    curl ${base}/stats`,
    `    curl ${base}/metrics`,
    `  Dashboard: ${base}/admin/queues  ${login(admin, 'DASHBOARD')}`,
    `  Read-only dashboard: ${base}/ops/queues  ${login(viewer, 'DASHBOARD_VIEWER')}`,
    '  The dashboard\'s API, with that login:',
    `    curl -u ${shellWord(`${admin.user}:${admin.password}`)} ${base}/admin/queues/api/queues`,
    '  One more worker on this Redis, as another `bundle exec sidekiq` would be (it shares the jobs with the worker in here):',
    `    ${workerEnv.join(' ')} npm run worker`,
    `Job logs follow as JSON lines. Ctrl-C to stop (running jobs get ${info.shutdownTimeoutSeconds} s to finish).`,
  ];
}

/** `value` as one shell word: as it is when it holds nothing a shell would read, else in single quotes. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
