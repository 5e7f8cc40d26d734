/**
 * The verdict of one exercise run, short: which tests fail, the first lines of each error, and
 * the line of the learner's file it came from. vitest's own reporters print every failure of the
 * chapter with full stacks (100–400 lines); one exercise at a time needs a screenful at most.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { styleText } from 'node:util';
import type { Reporter, SerializedError, TestModule, TestSpecification } from 'vitest/node';
import { describeKnownMistakes, outcomeOf, recogniseInWorkbook } from '../mistakes/recognise.js';
import type { RecordedMistake } from '../mistakes/recorded.js';

/** One error, reduced to what a learner reads. */
export interface ShortError {
  /** What failed: the test's full name, or where the error came from ("loading the test file"). */
  title: string;
  /** The first lines of the error message (and of the expected/received diff, when there is one). */
  lines: string[];
  /** The frame to look at: in the learner's file when the error passed through it, else the test's. */
  location?: { file: string; line: number; column: number; source?: string };
}

/** The result of running one exercise's test file once. */
export interface Verdict {
  /** Absolute path of the test file. */
  moduleId: string;
  /** Every test ran and passed, and nothing failed outside the tests. */
  passed: boolean;
  /** Tests in the file. */
  total: number;
  /** Tests that failed. */
  failed: number;
  /** Tests that passed (the rest were skipped or never finished). */
  passedTests: number;
  /** Failed tests, then errors outside any test (a test file that does not load, an unhandled rejection). */
  errors: ShortError[];
  /** What the code under test printed with `console.*`, in order. */
  logs: string[];
  /** How long the file took in the test worker, in milliseconds. */
  durationMs: number;
  /** The recorded mistakes whose failing tests are exactly this run's (see scripts/mistakes/recognise.ts). */
  knownMistakes: RecordedMistake[];
}

/** What the {@link ShortReporter} calls back. */
export interface ShortReporterHandlers {
  /** A run of these test files (absolute paths) starts. */
  onRunStart?(moduleIds: string[]): void;
  /** A test file finished; `starter` is what its learner file is, to point errors at it. */
  onVerdict(verdict: Verdict): void;
}

/**
 * A vitest reporter that turns each finished test file into a {@link Verdict} and prints nothing
 * itself: the learner loop decides what to show. `root` is the workbook's folder.
 */
export class ShortReporter implements Reporter {
  private logs: string[] = [];

  constructor(
    private readonly root: string,
    private readonly handlers: ShortReporterHandlers,
  ) {}

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.logs = [];
    if (specifications.length > 0) this.handlers.onRunStart?.(specifications.map((spec) => spec.moduleId));
  }

  onUserConsoleLog(log: { content: string }): void {
    this.logs.push(...log.content.replace(/\n$/, '').split('\n'));
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const unhandled = unhandledErrors.map((error) => this.shorten(error, 'an error outside the tests (e.g. an unawaited promise)', undefined));
    testModules.forEach((module, index) => {
      // Unhandled errors belong to the run, not a file; a run of `npm run learn` has one file.
      this.handlers.onVerdict(this.verdictOf(module, index === 0 ? unhandled : []));
    });
  }

  private verdictOf(module: TestModule, unhandled: ShortError[]): Verdict {
    const starter = module.moduleId.replace(/\.test\.ts$/, '.ts');
    const tests = [...module.children.allTests()];
    const errors: ShortError[] = [];
    for (const test of tests) {
      const result = test.result();
      if (result.state !== 'failed') continue;
      const [first] = result.errors;
      errors.push(first ? this.shorten(first, test.fullName, starter) : { title: test.fullName, lines: ['failed'] });
    }
    // A file that does not load is usually a syntax error: its message holds the code frame.
    for (const error of module.errors()) errors.push(this.shorten(error, 'loading or setting up the test file', starter, 12));
    errors.push(...unhandled);
    const failed = tests.filter((test) => test.result().state === 'failed').length;
    const passedTests = tests.filter((test) => test.result().state === 'passed').length;
    const exercise = relative(join(this.root, 'exercises'), starter).split(sep).join('/').replace(/\.ts$/, '');
    return {
      moduleId: module.moduleId,
      passed: module.state() === 'passed' && tests.length > 0 && unhandled.length === 0,
      total: tests.length,
      failed,
      passedTests,
      errors,
      logs: this.logs,
      durationMs: module.diagnostic().duration,
      knownMistakes: recogniseInWorkbook(this.root, exercise, outcomeOf(module, unhandled.length)),
    };
  }

  private shorten(error: SerializedError & { diff?: string }, title: string, starter: string | undefined, maxLines = 4): ShortError {
    const name = error.name && !['Error', 'AssertionError'].includes(error.name) ? `${error.name}: ` : '';
    const message = stripAnsi(`${name}${error.message ?? String(error)}`).split('\n').filter((line) => line.trim() !== '');
    const lines = message.slice(0, maxLines);
    if (message.length > maxLines) lines.push('…');
    if (error.diff) {
      const diff = stripAnsi(error.diff).split('\n').filter((line) => line.trim() !== '');
      lines.push(...diff.slice(0, 8), ...(diff.length > 8 ? ['…'] : []));
    }
    return { title, lines, location: this.locate(error, starter) };
  }

  /** The frame in the learner's file if the error went through it, else the first in exercises/. */
  private locate(error: SerializedError, starter: string | undefined): ShortError['location'] {
    const frames = error.stacks?.length ? error.stacks : parseStack(error.stack ?? '');
    const inExercises = frames.filter((frame) => frame.file.startsWith(`${this.root}${sep}exercises${sep}`));
    const frame = inExercises.find((f) => f.file === starter) ?? inExercises[0];
    if (!frame) return undefined;
    return { file: relative(this.root, frame.file).split(sep).join('/'), line: frame.line, column: frame.column, source: sourceLine(frame.file, frame.line) };
  }
}

/** `at fn (/abs/file.ts:12:5)` lines, for errors vitest did not parse. */
function parseStack(stack: string): { file: string; line: number; column: number }[] {
  return [...stack.matchAll(/\(?((?:file:\/\/)?\/[^():\s]+):(\d+):(\d+)\)?/g)].map((match) => ({
    file: match[1]!.replace(/^file:\/\//, ''),
    line: Number(match[2]),
    column: Number(match[3]),
  }));
}

function sourceLine(file: string, line: number): string | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8').split('\n')[line - 1]?.trim();
  return text && text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** Colours for a terminal, none for pipes and files (or when NO_COLOR is set). */
export interface Paint {
  /** Green, for what passes. */
  good(text: string): string;
  /** Red, for what fails. */
  bad(text: string): string;
  /** Yellow, for what changed. */
  warn(text: string): string;
  /** Dim, for paths and asides. */
  dim(text: string): string;
  /** Bold, for names. */
  bold(text: string): string;
}

/** A {@link Paint} for `stream`: colours only on a terminal, and never when NO_COLOR is set. */
export function paintFor(stream: NodeJS.WriteStream): Paint {
  const force = process.env.FORCE_COLOR;
  const on = force !== undefined && force !== '' ? force !== '0' && force !== 'false' : Boolean(stream.isTTY) && !process.env.NO_COLOR;
  const style = (format: Parameters<typeof styleText>[0]) => (text: string) => (on ? styleText(format, text) : text);
  return { good: style('green'), bad: style('red'), warn: style('yellow'), dim: style('dim'), bold: style('bold') };
}

/** How many failing tests a verdict shows in full; the rest are counted. */
const SHOWN = 3;

/**
 * The verdict as a few lines: `✗ name: 2 of 3 tests fail`, then for each distinct error the
 * tests it failed, its first lines and the line of code to look at, then the last lines the code
 * printed. A passing verdict is one line.
 */
export function formatVerdict(verdict: Verdict, label: string, paint: Paint): string {
  const seconds = `${(verdict.durationMs / 1000).toFixed(1)} s`;
  if (verdict.passed) return `${paint.good('✓')} ${paint.bold(label)} passes: ${verdict.total} of ${verdict.total} tests ${paint.dim(`(${seconds})`)}`;
  const summary =
    verdict.total === 0
      ? 'the test file did not run'
      : verdict.failed > 0
        ? `${verdict.failed} of ${verdict.total} tests fail`
        : verdict.passedTests < verdict.total
          ? `${verdict.total - verdict.passedTests} of ${verdict.total} tests did not finish`
          : `its ${verdict.total} tests pass, but something else failed`;
  const out = [`${paint.bad('✗')} ${paint.bold(label)}: ${summary} ${paint.dim(`(${seconds})`)}`];
  // Tests that fail with the same error at the same place (often every test of a starter) are
  // shown once, with their names together.
  const groups = new Map<string, ShortError[]>();
  for (const error of verdict.errors) {
    const key = JSON.stringify([error.lines, error.location?.file, error.location?.line]);
    groups.set(key, [...(groups.get(key) ?? []), error]);
  }
  const shown = [...groups.values()].slice(0, SHOWN);
  for (const group of shown) {
    for (const error of group) out.push(`  ${paint.bad('✗')} ${error.title}`);
    const [first] = group;
    out.push(...first!.lines.map((line) => `      ${line}`));
    if (first!.location) {
      const { file, line, column, source } = first!.location;
      out.push(`      ${paint.dim('at')} ${file}:${line}:${column}`);
      if (source) out.push(`      ${paint.dim(`${line} |`)} ${source}`);
    }
  }
  const hidden = [...groups.values()].slice(SHOWN).reduce((count, group) => count + group.length, 0);
  const chapter = /[\\/]exercises[\\/](chapter\d+)-/.exec(verdict.moduleId)?.[1];
  if (hidden > 0) out.push(`  …and ${hidden} more${chapter ? ` (the full report: npm test -- ${chapter})` : ''}`);
  const known = describeKnownMistakes(verdict.knownMistakes);
  if (known.length > 0) out.push(...known.map((line, index) => `  ${index === 0 ? paint.warn(line) : line}`));
  if (verdict.logs.length > 0) {
    const last = verdict.logs.slice(-10);
    out.push(paint.dim(`  console output${verdict.logs.length > last.length ? ` (last ${last.length} of ${verdict.logs.length} lines)` : ''}:`));
    out.push(...last.map((line) => `    ${line.length > 160 ? `${line.slice(0, 157)}…` : line}`));
  }
  return out.join('\n');
}
