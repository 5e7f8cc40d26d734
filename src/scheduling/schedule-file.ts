/**
 * The schedule file: recurring jobs written down in YAML, like sidekiq-cron's `config/schedule.yml`.
 *
 * Each top-level key names one recurring job and becomes its BullMQ job scheduler id:
 *
 * ```yaml
 * daily-report:
 *   description: Counts yesterday's tasks into one DailyReport row
 *   cron: "0 6 * * *"
 *   tz: Europe/London
 *   job: daily-report
 *   data: {}
 * ```
 *
 * This module only reads the file and checks its shape, so a typo (`crom:`) or a wrong type is
 * reported with the entry's name before anything reaches Redis. Whether BullMQ accepts a cron
 * pattern or a time zone is for `queue.upsertJobScheduler` to say.
 *
 * @module Jobs/Schedule file
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Where the workbook keeps its schedule, relative to the project root. */
export const DEFAULT_SCHEDULE_FILE = 'config/schedule.yml';

/** One recurring job from the schedule file. Exactly one of `cron` and `every` is set. */
export interface ScheduleEntry {
  /** The entry's key in the file; used as the job scheduler id. */
  name: string;
  /** A cron pattern (`"0 6 * * *"`, or six fields with seconds first); BullMQ calls it `pattern`. */
  cron?: string;
  /** Milliseconds between runs, instead of a cron pattern. */
  every?: number;
  /** IANA time zone the cron pattern is read in (`Europe/London`); the server's zone when absent. */
  tz?: string;
  /** The name of the job each run adds, which the worker dispatches on. */
  job: string;
  /** The job's payload: the same plain object on every run. */
  data: Record<string, unknown>;
  /** What the job is for, for people reading the file or a dashboard. */
  description?: string;
}

const KNOWN_KEYS = new Set(['cron', 'every', 'tz', 'job', 'data', 'description']);
// Scheduler ids end up in Redis keys and job ids (`repeat:<id>:<time>`), and in dashboard URLs.
const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Reads and checks a schedule file.
 *
 * @throws Error naming the file and every entry that is malformed.
 */
export function readScheduleFile(path: string = DEFAULT_SCHEDULE_FILE): ScheduleEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the schedule file ${path}: ${(error as Error).message}`);
  }
  return parseSchedule(text, path);
}

/**
 * Parses schedule YAML into entries, in file order. An empty document is an empty schedule.
 *
 * @param source names the text in error messages (usually the file path)
 * @throws Error listing every problem found, each with the entry's name.
 */
export function parseSchedule(text: string, source = 'schedule'): ScheduleEntry[] {
  let document: unknown;
  try {
    document = parse(text, { uniqueKeys: true });
  } catch (error) {
    const message = (error as Error).message;
    // An unquoted pattern starting with `*` is read as a YAML alias: the commonest slip in this file.
    const advice = /alias/i.test(message) ? ' (put cron patterns in quotes: cron: "*/5 * * * *")' : '';
    throw new Error(`${source} is not valid YAML${advice}: ${message}`);
  }
  if (document === null || document === undefined) return [];
  if (!isPlainObject(document)) {
    throw new Error(`${source} must map entry names to entries (name: {cron, job, ...}), not a ${describe(document)}`);
  }

  const problems: string[] = [];
  const entries: ScheduleEntry[] = [];
  for (const [name, raw] of Object.entries(document)) {
    const entryProblems: string[] = [];
    const entry = checkEntry(name, raw, entryProblems);
    if (entry) entries.push(entry);
    problems.push(...entryProblems.map((problem) => `entry "${name}": ${problem}`));
  }
  if (problems.length > 0) {
    throw new Error(`${source} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n  ${problems.join('\n  ')}`);
  }
  return entries;
}

function checkEntry(name: string, raw: unknown, problems: string[]): ScheduleEntry | undefined {
  if (!ENTRY_NAME.test(name)) {
    problems.push('the name may hold letters, digits, ".", "_" and "-" only, starting with a letter or digit');
  }
  if (!isPlainObject(raw)) {
    problems.push(`must be a mapping with cron (or every) and job, not a ${describe(raw)}`);
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) problems.push(`unknown key "${key}" (known: ${[...KNOWN_KEYS].join(', ')})`);
  }

  const { cron, every, tz, job, data = {}, description } = raw;
  if (cron === undefined && every === undefined) problems.push('needs "cron" (a pattern such as "0 6 * * *") or "every" (milliseconds)');
  if (cron !== undefined && every !== undefined) problems.push('has both "cron" and "every"; keep one');
  if (cron !== undefined && (typeof cron !== 'string' || cron.trim() === '')) {
    problems.push(`"cron" must be a pattern in quotes, such as "0 6 * * *", not ${JSON.stringify(cron)}`);
  }
  if (every !== undefined && !(typeof every === 'number' && Number.isInteger(every) && every > 0)) {
    problems.push(`"every" must be a whole number of milliseconds above 0, not ${JSON.stringify(every)}`);
  }
  if (tz !== undefined && typeof tz !== 'string') problems.push(`"tz" must be a time zone name such as "Europe/London", not ${JSON.stringify(tz)}`);
  if (tz !== undefined && every !== undefined) problems.push('"tz" applies to "cron" only; "every" counts milliseconds');
  if (typeof job !== 'string' || job.trim() === '') problems.push('needs "job": the name of the job to add on each run');
  if (!isPlainObject(data)) problems.push(`"data" must be a mapping (the job's payload), not a ${describe(data)}`);
  if (description !== undefined && typeof description !== 'string') problems.push('"description" must be text');
  if (problems.length > 0) return undefined;

  const entry: ScheduleEntry = { name, job: job as string, data: data as Record<string, unknown> };
  if (cron !== undefined) entry.cron = (cron as string).trim();
  if (every !== undefined) entry.every = every as number;
  if (tz !== undefined) entry.tz = tz as string;
  if (description !== undefined) entry.description = description as string;
  return entry;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}
