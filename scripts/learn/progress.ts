/**
 * The learner's progress: the last real test result of each exercise, kept in
 * `.learn/progress.json` (git-ignored) between runs of `npm run learn`.
 *
 * A result is only as good as the files it was measured on, so each one stores a hash of the
 * exercise's test and of the learner's file. When either differs now (the learner edited the
 * file, or a `git pull` brought a new version of the test), the exercise shows as "changed since
 * last run" rather than done, and watch mode runs it again when it gets there.
 *
 * Results are keyed by `chapterN-slug/name`: exercises a newer workbook adds start as "not run",
 * results of exercises it renamed or removed stay in the file unused, and nothing a learner wrote
 * lives here, so a `git pull` loses nothing. A file that cannot be read is moved aside and
 * progress starts fresh, with a message.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Exercise } from './exercises.js';

/** Where progress is kept, relative to the workbook's root. */
export const PROGRESS_FILE = '.learn/progress.json';

/** The file format's version; a file of another version starts fresh. */
const VERSION = 1;

/** The last real run of one exercise. */
export interface ExerciseResult {
  /** Every test of the exercise passed. */
  passed: boolean;
  /** When it ran (ISO 8601). */
  at: string;
  /** {@link fileHash} of the test file when it ran. */
  testHash: string;
  /** {@link fileHash} of the learner's file when it ran. */
  starterHash: string;
}

/** What `list` shows for an exercise. */
export type ExerciseStatus =
  | { state: 'done'; result: ExerciseResult }
  | { state: 'failing'; result: ExerciseResult }
  | { state: 'not-run' }
  /** A result exists, but the test (`test`), the learner's file (`file`) or both changed since. */
  | { state: 'changed'; what: 'test' | 'file' | 'both'; result: ExerciseResult };

/** The hashes a result is tied to, taken when the run starts. */
export interface FileHashes {
  /** Hash of the exercise's test file. */
  testHash: string;
  /** Hash of the learner's file. */
  starterHash: string;
}

interface ProgressFile {
  version: number;
  exercises: Record<string, ExerciseResult>;
}

/** A short content hash of a file, or `missing` when there is no such file. */
export function fileHash(path: string): string {
  if (!existsSync(path)) return 'missing';
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}

/** The hashes of `exercise`'s test and learner file, as they are now. */
export function hashesOf(root: string, exercise: Exercise): FileHashes {
  return { testHash: fileHash(join(root, exercise.test)), starterHash: fileHash(join(root, exercise.starter)) };
}

/** The key of an exercise in the progress file. */
function keyOf(exercise: Exercise): string {
  return `${exercise.chapter.dir}/${exercise.name}`;
}

/**
 * The progress file of the workbook in `root`. Every change re-reads the file first and writes
 * it whole through a rename, so a watch session and a `run` in another terminal do not undo each
 * other's results and a crash mid-write cannot leave half a file.
 */
export class Progress {
  /** Absolute path of the progress file. */
  readonly file: string;
  private results: Record<string, ExerciseResult> = {};

  private constructor(
    readonly root: string,
    private readonly warn: (message: string) => void,
  ) {
    this.file = join(root, PROGRESS_FILE);
  }

  /**
   * Reads the progress of the workbook in `root`. `warn` receives a message when the file
   * could not be used (it is then moved aside to `progress.unreadable-<time>.json`).
   */
  static load(root: string, warn: (message: string) => void = console.warn): Progress {
    const progress = new Progress(root, warn);
    progress.results = progress.read();
    return progress;
  }

  /** The status of `exercise` now: its last result checked against its files' current hashes. */
  statusOf(exercise: Exercise): ExerciseStatus {
    const result = this.results[keyOf(exercise)];
    if (!result) return { state: 'not-run' };
    const now = hashesOf(this.root, exercise);
    const testChanged = now.testHash !== result.testHash;
    const fileChanged = now.starterHash !== result.starterHash;
    if (testChanged || fileChanged) return { state: 'changed', what: testChanged && fileChanged ? 'both' : testChanged ? 'test' : 'file', result };
    return result.passed ? { state: 'done', result } : { state: 'failing', result };
  }

  /** `true` when the exercise passed on exactly the files that are there now. */
  isDone(exercise: Exercise): boolean {
    return this.statusOf(exercise).state === 'done';
  }

  /** Stores the result of a run that started on files with `hashes`. */
  record(exercise: Exercise, passed: boolean, hashes: FileHashes): void {
    this.update((results) => {
      results[keyOf(exercise)] = { passed, at: new Date().toISOString(), ...hashes };
    });
  }

  /** Forgets `exercise`'s result (after `reset`, it is not run yet). */
  forget(exercise: Exercise): void {
    this.update((results) => {
      delete results[keyOf(exercise)];
    });
  }

  private update(change: (results: Record<string, ExerciseResult>) => void): void {
    // Another `npm run learn` may have written since we read: start from what is on disk.
    this.results = this.read();
    change(this.results);
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const content: ProgressFile = { version: VERSION, exercises: this.results };
    writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`);
    renameSync(temporary, this.file);
  }

  private read(): Record<string, ExerciseResult> {
    if (!existsSync(this.file)) return {};
    let problem: string;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<ProgressFile> | null;
      if (parsed?.version === VERSION && isResults(parsed.exercises)) return parsed.exercises;
      problem =
        parsed && typeof parsed.version === 'number' && parsed.version !== VERSION
          ? `it is version ${parsed.version}, this workbook reads version ${VERSION}`
          : 'it is not a progress file (or a result in it is malformed)';
    } catch (error) {
      problem = `it is not valid JSON (${(error as Error).message})`;
    }
    const aside = join(dirname(this.file), `progress.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    renameSync(this.file, aside);
    this.warn(`Could not use ${PROGRESS_FILE}: ${problem}. Starting fresh; the old file is now ${relative(this.root, aside)}. Your exercise files are untouched.`);
    return {};
  }
}

function isResults(value: unknown): value is Record<string, ExerciseResult> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (result: Partial<ExerciseResult> | null) =>
      typeof result === 'object' &&
      result !== null &&
      typeof result.passed === 'boolean' &&
      typeof result.testHash === 'string' &&
      typeof result.starterHash === 'string' &&
      typeof result.at === 'string',
  );
}
